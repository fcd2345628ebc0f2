"""Helpers shared by the CSV and XLSX exports."""

from __future__ import annotations

from typing import Any

#: a cell starting with one of these is run as a formula by spreadsheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula is written as text; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
