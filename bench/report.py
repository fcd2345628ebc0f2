"""Markdown tables of the last benchmark results, demo and large side by side, for bench/README.md.

    .venv/bin/python bench/report.py             # every database measured
    .venv/bin/python bench/report.py sqlite      # one database engine

A p95 above the 50 ms target is in bold; rows measured in one size only show "-" for the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 50.0


def load(vendor: str) -> dict[str, dict[str, Any]]:
    found = {}
    for size in ("demo", "large"):
        path = RESULTS / f"{size}-{vendor}.json"
        if path.exists():
            found[size] = json.loads(path.read_text())
    return found


def cell(row: dict[str, Any] | None, key: str, bold: bool = False) -> str:
    if row is None or key not in row:
        return "-"
    value = row[key]
    if bold and isinstance(value, int | float) and value > TARGET_MS:
        return f"**{value}**"
    return str(value)


def table(vendor: str) -> str:
    found = load(vendor)
    if not found:
        return f"No results for {vendor}.\n"
    order: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for size, result in found.items():
        for row in result["rows"]:
            key = (row["label"], row["persona"])
            if key not in rows:
                order.append(key)
                rows[key] = {}
            rows[key][size] = row
    lines = [
        "| page | persona | queries demo / large | median ms demo / large | p95 ms demo / large |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for key in order:
        demo, large = rows[key].get("demo"), rows[key].get("large")
        label = f"`{key[0]}`"
        lines.append(
            f"| {label} | {key[1]} | {cell(demo, 'queries')} / {cell(large, 'queries')} | "
            f"{cell(demo, 'median_ms')} / {cell(large, 'median_ms')} | "
            f"{cell(demo, 'p95_ms', True)} / {cell(large, 'p95_ms', True)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    vendors = sys.argv[1:] or ["sqlite", "postgresql"]
    for vendor in vendors:
        print(f"#### {'SQLite' if vendor == 'sqlite' else 'PostgreSQL'}\n")
        print(table(vendor))


if __name__ == "__main__":
    main()
