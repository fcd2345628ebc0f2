"""Reading a school improvement plan's goals from a CSV or XLSX file.

The format: one goal a row, with the columns goal, owner and measure. A first row naming the
columns (in any order, with a few usual synonyms) is recognised as a header; without one the
columns are taken as goal, owner, measure in that order. Empty rows are skipped. Every bad row
is named by its line in the file with what is wrong, and nothing is imported while any row is
bad: the service writes only a table that is entirely good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from coachloop.lib.errors import DomainError

#: the largest file we read (a plan has tens of goals, not thousands)
MAX_BYTES = 512 * 1024
#: the most goals one plan holds (and so one import can bring)
MAX_GOALS = 100
GOAL_MAX = 300
OWNER_MAX = 200
MEASURE_MAX = 2000

COLUMNS = ("goal", "owner", "measure")
SYNONYMS: dict[str, str] = {
    "goal": "goal",
    "goals": "goal",
    "improvement goal": "goal",
    "school improvement goal": "goal",
    "title": "goal",
    "owner": "owner",
    "owners": "owner",
    "who": "owner",
    "responsible": "owner",
    "measure": "measure",
    "measures": "measure",
    "measure of success": "measure",
    "success measure": "measure",
    "how we will know": "measure",
}


@dataclass(frozen=True)
class GoalRow:
    line: int
    title: str
    owner: str
    measure: str


class ImportProblems(DomainError):
    """The file cannot be imported; `problems` names each bad line."""

    def __init__(self, problems: list[str]) -> None:
        message = _("Nothing was imported. Correct these rows and upload the file again:")
        super().__init__(
            message + "\n" + "\n".join(problems), field="file", errors={"file": "\n".join(problems)}
        )
        self.problems = problems


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header(row: Sequence[str]) -> dict[str, int] | None:
    """The column positions if `row` names the columns, else None."""
    names = [SYNONYMS.get(" ".join(c.lower().replace("_", " ").split()).rstrip(":")) for c in row]
    if "goal" not in names:
        return None
    found: dict[str, int] = {}
    for position, name in enumerate(names):
        if name is not None and name not in found:
            found[name] = position
    return found


def _column(cells: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return cells[i] if i is not None and i < len(cells) else ""


def parse_table(rows: Iterable[Sequence[Any]]) -> list[GoalRow]:
    """The goals of a table (rows of cells, line 1 first). Raises ImportProblems naming every
    bad line; a table without a single goal is a problem too."""
    table = [[_cell(c) for c in row] for row in rows]
    problems: list[str] = []
    goals: list[GoalRow] = []
    columns: dict[str, int] = {name: i for i, name in enumerate(COLUMNS)}
    started = False
    for line, cells in enumerate(table, start=1):
        if not any(cells):
            continue
        if not started:
            started = True
            header = _header(cells)
            if header is not None:
                columns = header
                continue

        title, owner, measure = (_column(cells, columns, name) for name in COLUMNS)
        wrong: list[str] = []
        if not title:
            wrong.append(_("the goal is empty"))
        elif len(title) > GOAL_MAX:
            wrong.append(
                _("the goal is %(n)d characters long; keep it to %(max)d")
                % {"n": len(title), "max": GOAL_MAX}
            )
        if len(owner) > OWNER_MAX:
            wrong.append(
                _("the owner is %(n)d characters long; keep it to %(max)d")
                % {"n": len(owner), "max": OWNER_MAX}
            )
        if len(measure) > MEASURE_MAX:
            wrong.append(
                _("the measure is %(n)d characters long; keep it to %(max)d")
                % {"n": len(measure), "max": MEASURE_MAX}
            )
        if wrong:
            problems.append(
                _("Line %(line)d: %(what)s.") % {"line": line, "what": "; ".join(wrong)}
            )
        else:
            goals.append(GoalRow(line, title, owner, measure))
    if len(goals) + len(problems) > MAX_GOALS:
        problems.insert(
            0,
            _("The file has more than %(max)d goals; a plan holds at most %(max)d.")
            % {"max": MAX_GOALS},
        )
    if problems:
        raise ImportProblems(problems)
    if not goals:
        raise ImportProblems(
            [_("The file has no goals: put one goal a row, with the columns goal, owner, measure.")]
        )
    return goals


def read_rows(data: bytes, filename: str) -> list[list[Any]]:
    """The rows of a CSV (UTF-8, comma, semicolon or tab separated) or XLSX file's first sheet."""
    if len(data) > MAX_BYTES:
        raise ImportProblems(
            [
                _("The file is larger than %(kb)d KB; a plan's goals fit in far less.")
                % {"kb": MAX_BYTES // 1024}
            ]
        )
    if not data:
        raise ImportProblems([_("The file is empty.")])
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    return _csv_rows(data)


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblems(
            [_("The file is not UTF-8 text. Save it as “CSV UTF-8” or as an Excel workbook.")]
        ) from None
    if "\x00" in text:
        raise ImportProblems([_("The file is not a CSV text file.")])
    # The separator is the first line's: a comma, else a semicolon (spreadsheets in locales with
    # a decimal comma), else a tab.
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as err:
        raise ImportProblems([_("The CSV file cannot be read: %s.") % err]) from None


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportProblems(
            [_("The file is not an Excel workbook we can read. Save it as .xlsx or as CSV.")]
        ) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_GOALS * 10:
                break
        return rows
    finally:
        book.close()


def parse_file(data: bytes, filename: str) -> list[GoalRow]:
    return parse_table(read_rows(data, filename))
