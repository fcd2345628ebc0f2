"""The action-step library as a file: import and export in CSV and YAML.

Both formats carry the same thing, an organisation's scope and sequence: categories in order,
each with a description (the larger goal it serves) and its steps in order, each with success
criteria, a model description, non-examples and resources (links). docs/action-steps.md
describes the formats for programme administrators.

An import checks the whole file first and reports every problem with the line (CSV: the line a
spreadsheet or text editor shows; YAML: the line and the path inside the file). When anything is
wrong nothing is written. Categories are matched by title and steps by category and title, so
importing the same file twice changes nothing; the file's order becomes the library's order.
Categories and steps that are not in the file are left as they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps.models import LibraryCategory, LibraryStep
from coachloop.lib.exports import FORMULA_STARTS
from coachloop.organisations.models import Organisation

CSV_COLUMNS = (
    "category",
    "step",
    "success_criteria",
    "model",
    "non_examples",
    "category_description",
    "resources",
)
REQUIRED_COLUMNS = ("category", "step", "success_criteria")
#: between success criteria written in one CSV cell (a line break works too)
CRITERIA_SEPARATOR = " | "
#: between a resource's title and its link in the CSV `resources` cell, one resource a line
RESOURCE_SEPARATOR = " | "

MAX_BYTES = 2_000_000
MAX_CATEGORIES = 200
MAX_STEPS = 2_000
MAX_CRITERIA = 10
MAX_RESOURCES = 20
CATEGORY_TITLE_MAX = 200
STEP_TITLE_MAX = 300
CRITERION_MAX = 500
TEXT_MAX = 10_000
URL_MAX = 2_000


@dataclass
class Problem:
    """One thing to fix: `line` in the file (when known), `where` (a YAML path or the CSV
    column) and the message."""

    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(_("Line %d") % self.line)
        if self.where:
            parts.append(self.where)
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class StepData:
    title: str
    success_criteria: list[str]
    model: str = ""
    non_examples: str = ""
    #: None: the file does not say (a CSV without the resources column): leave them alone
    resources: list[dict[str, str]] | None = None
    line: int | None = field(default=None, compare=False)


@dataclass
class CategoryData:
    title: str
    description: str = ""
    steps: list[StepData] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    categories_created: int = 0
    categories_updated: int = 0
    steps_created: int = 0
    steps_updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> int:
        return (
            self.categories_created
            + self.categories_updated
            + self.steps_created
            + self.steps_updated
        )


# --- Cleaning -------------------------------------------------------------------------------------


def clean_line(value: str) -> str:
    """One line of text: surrounding spaces gone, inner runs of white space made one space."""
    return " ".join(value.split())


def clean_text(value: str) -> str:
    """Longer text: line endings made \\n, trailing spaces and surrounding blank lines gone."""
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def split_criteria(cell: str) -> list[str]:
    """Success criteria from one cell: one a line, or separated by " | " on one line."""
    cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    parts = cell.split("\n") if "\n" in cell.strip() else cell.split(CRITERIA_SEPARATOR)
    return [clean_line(p) for p in parts if clean_line(p)]


def check_criteria(criteria: list[str]) -> list[str]:
    """What is wrong with a list of success criteria (already cleaned), as messages."""
    problems = []
    if not criteria:
        problems.append(_("Give at least one success criterion."))
    if len(criteria) > MAX_CRITERIA:
        problems.append(
            _("Keep it to %(max)d success criteria at most (there are %(n)d).")
            % {"max": MAX_CRITERIA, "n": len(criteria)}
        )
    for text in criteria:
        if len(text) > CRITERION_MAX:
            problems.append(
                _("Keep each success criterion under %d characters: “%s…”.")
                % (CRITERION_MAX, text[:40])
            )
        if CRITERIA_SEPARATOR in text:
            problems.append(
                _("A success criterion can't contain “ | ”, which separates criteria: “%s”.")
                % text[:60]
            )
    seen: set[str] = set()
    for text in criteria:
        if text.casefold() in seen:
            problems.append(_("The success criterion “%s” is there twice.") % text[:60])
        seen.add(text.casefold())
    return problems


# --- Spreadsheet-safe cells that still round-trip -------------------------------------------------


def _needs_quote(value: str) -> bool:
    if value.startswith(FORMULA_STARTS):
        return True
    return value.startswith("'") and len(value) > 1 and value[1] in (*FORMULA_STARTS, "'")


def export_cell(value: str) -> str:
    """Like lib.exports.safe_cell (a cell a spreadsheet would run as a formula starts with an
    apostrophe), but reversible: a text that itself starts with an apostrophe before a formula
    character or another apostrophe gets one more, so `import_cell` gives back the text."""
    return "'" + value if _needs_quote(value) else value


def import_cell(value: str) -> str:
    """Undo `export_cell`: one leading apostrophe before a formula character or an apostrophe
    is dropped. Any other apostrophe ("'tis") is kept."""
    if value.startswith("'") and len(value) > 1 and value[1] in (*FORMULA_STARTS, "'"):
        return value[1:]
    return value


# --- Parsing --------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text; save it as UTF-8 and try again.")) from None


def format_of(filename: str, text: str) -> str:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".yaml", ".yml", ".json")):
        return "yaml"
    first = text.lstrip().split("\n", 1)[0] if text.strip() else ""
    return "csv" if first.lower().startswith("category,") else "yaml"


def _check_step(step: StepData, where: str, line: int | None) -> list[Problem]:
    problems: list[Problem] = []
    if not step.title:
        problems.append(Problem(line, where, _("Give the action step a title.")))
    elif len(step.title) > STEP_TITLE_MAX:
        problems.append(
            Problem(line, where, _("Keep the step's title under %d characters.") % STEP_TITLE_MAX)
        )
    problems += [Problem(line, where, m) for m in check_criteria(step.success_criteria)]
    for label, text in ((_("model"), step.model), (_("non-examples"), step.non_examples)):
        if len(text) > TEXT_MAX:
            problems.append(
                Problem(line, where, _("Keep the %s under %d characters.") % (label, TEXT_MAX))
            )
    for res in step.resources or []:
        problems += [Problem(line, where, m) for m in check_resource(res)]
    if step.resources is not None and len(step.resources) > MAX_RESOURCES:
        problems.append(Problem(line, where, _("Keep it to %d resources a step.") % MAX_RESOURCES))
    return problems


def check_resource(res: dict[str, str]) -> list[str]:
    problems = []
    if not res.get("title"):
        problems.append(_("Give each resource a title."))
    url = res.get("url", "")
    if not url.startswith(("https://", "http://")) or " " in url or len(url) > URL_MAX:
        problems.append(
            _("The resource “%s” needs a link starting with https:// or http://.")
            % (res.get("title") or "")[:60]
        )
    return problems


def _check_category(cat: CategoryData, where: str, line: int | None) -> list[Problem]:
    problems: list[Problem] = []
    if not cat.title:
        problems.append(Problem(line, where, _("Give the category a title.")))
    elif len(cat.title) > CATEGORY_TITLE_MAX:
        problems.append(
            Problem(
                line,
                where,
                _("Keep the category's title under %d characters.") % CATEGORY_TITLE_MAX,
            )
        )
    if len(cat.description) > TEXT_MAX:
        problems.append(
            Problem(line, where, _("Keep the description under %d characters.") % TEXT_MAX)
        )
    return problems


def parse_csv(text: str) -> tuple[list[CategoryData], list[Problem]]:
    """Categories and steps from CSV text, and every problem found (by the line the user sees)."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(None, "", _("The file is empty."))]
    except csv.Error as error:
        return [], [Problem(1, "", _("This line can't be read as CSV (%s).") % error)]
    names = [clean_line(h).lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [h for h in names if h and h not in CSV_COLUMNS]
    if missing or unknown:
        message = _("The first line names the columns: %s.") % ",".join(CSV_COLUMNS[:6])
        if missing:
            message += " " + _("Missing: %s.") % ", ".join(missing)
        if unknown:
            message += " " + _("Not known: %s.") % ", ".join(unknown)
        return [], [Problem(1, "", message)]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        return [], [Problem(1, "", _("The column %s is there twice.") % ", ".join(dupes))]
    has_resources = "resources" in names
    categories: dict[str, CategoryData] = {}
    description_line: dict[str, int] = {}
    steps_seen: dict[tuple[str, str], int] = {}
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(line, "", _("This line can't be read as CSV (%s).") % error))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names) and any(c.strip() for c in row[len(names) :]):
            problems.append(
                Problem(
                    start,
                    "",
                    _("This line has %(n)d cells but the first line names %(m)d columns.")
                    % {"n": len(row), "m": len(names)},
                )
            )
            continue
        cells = {name: import_cell(row[i]) if i < len(row) else "" for i, name in enumerate(names)}
        cat_title = clean_line(cells.get("category", ""))
        description = clean_text(cells.get("category_description", ""))
        if not cat_title:
            problems.append(Problem(start, "category", _("Name the category of this step.")))
            continue
        cat = categories.get(cat_title)
        if cat is None:
            cat = categories[cat_title] = CategoryData(cat_title, line=start)
            problems += _check_category(cat, "category", start)
        if description:
            if cat.description and cat.description != description:
                problems.append(
                    Problem(
                        start,
                        "category_description",
                        _(
                            "The category “%(c)s” has another description on line %(l)d; "
                            "write it once, or the same on every line."
                        )
                        % {"c": cat_title, "l": description_line[cat_title]},
                    )
                )
            elif not cat.description:
                cat.description = description
                description_line[cat_title] = start
                problems += _check_category(cat, "category_description", start)
        step_title = clean_line(cells.get("step", ""))
        criteria_cell = cells.get("success_criteria", "")
        rest = [cells.get(c, "").strip() for c in ("model", "non_examples", "resources")]
        if not step_title and not criteria_cell.strip() and not any(rest):
            continue  # a line that only names a category (and its description)
        resources = _parse_resources(cells.get("resources", "")) if has_resources else None
        step = StepData(
            title=step_title,
            success_criteria=split_criteria(criteria_cell),
            model=clean_text(cells.get("model", "")),
            non_examples=clean_text(cells.get("non_examples", "")),
            resources=resources if isinstance(resources, list) or resources is None else None,
            line=start,
        )
        if isinstance(resources, str):
            problems.append(Problem(start, "resources", resources))
        step_problems = _check_step(step, "", start)
        problems += step_problems
        if step_title:
            key = (cat_title, step_title.casefold())
            if key in steps_seen:
                problems.append(
                    Problem(
                        start,
                        "step",
                        _("“%(s)s” is already in “%(c)s” on line %(l)d.")
                        % {"s": step_title, "c": cat_title, "l": steps_seen[key]},
                    )
                )
                continue
            steps_seen[key] = start
        cat.steps.append(step)
    return list(categories.values()), problems


def _parse_resources(cell: str) -> list[dict[str, str]] | str:
    out = []
    for raw in cell.replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            continue
        title, sep, url = raw.rpartition(RESOURCE_SEPARATOR)
        if not sep:
            return _("Write each resource on its own line as “title | https://link”.")
        out.append({"title": clean_line(title), "url": url.strip()})
    return out


def _lines_of(text: str) -> dict[tuple[Any, ...], int]:
    """The line (1-based) where each mapping or item of the YAML document starts, by path."""
    found: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return found

    def walk(node: yaml.Node | None, path: tuple[Any, ...]) -> None:
        if node is None:
            return
        found[path] = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    found[(*path, key.value)] = key.start_mark.line + 1
                    walk(value, (*path, key.value))

    walk(root, ())
    return found


def parse_yaml(text: str) -> tuple[list[CategoryData], list[Problem]]:
    """Categories and steps from YAML text, with every problem named by line and path."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or "not valid YAML"
        line = mark.line + 1 if mark else None
        return [], [Problem(line, "", _("This is not valid YAML: %s.") % problem)]
    lines = _lines_of(text)
    base: tuple[Any, ...] = ()
    if isinstance(data, dict) and "categories" in data:
        base = ("categories",)
        data = data["categories"]
    if data is None:
        return [], [Problem(None, "", _("The file is empty."))]
    if not isinstance(data, list):
        return [], [
            Problem(1, "", _("The file is a list of categories, each starting with “- title:”."))
        ]
    problems: list[Problem] = []
    categories: list[CategoryData] = []
    seen_cats: dict[str, str] = {}

    def at(*path: Any) -> int | None:
        return lines.get((*base, *path))

    def where(*path: Any) -> str:
        out = ""
        for part in path:
            out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    for ci, raw_cat in enumerate(data):
        cpath = (ci,)
        if not isinstance(raw_cat, dict):
            problems.append(
                Problem(at(ci), where("categories", ci), _("A category has a title and steps."))
            )
            continue
        unknown = sorted(set(map(str, raw_cat)) - {"title", "description", "steps"})
        if unknown:
            problems.append(
                Problem(
                    at(ci),
                    where("categories", ci),
                    _("Unknown key %s; a category has title, description and steps.")
                    % ", ".join(unknown),
                )
            )
        cat = CategoryData(
            title=clean_line(_str(raw_cat.get("title"))),
            description=clean_text(_str(raw_cat.get("description"))),
            line=at(*cpath),
        )
        problems += _check_category(cat, where("categories", ci), at(*cpath))
        if cat.title:
            if cat.title in seen_cats:
                problems.append(
                    Problem(
                        at(*cpath, "title"),
                        where("categories", ci, "title"),
                        _("The category “%(c)s” is already at %(w)s.")
                        % {"c": cat.title, "w": seen_cats[cat.title]},
                    )
                )
            seen_cats.setdefault(cat.title, where("categories", ci))
        raw_steps = raw_cat.get("steps") or []
        if not isinstance(raw_steps, list):
            problems.append(
                Problem(
                    at(*cpath, "steps"),
                    where("categories", ci, "steps"),
                    _("The steps are a list, each starting with “- title:”."),
                )
            )
            raw_steps = []
        seen_steps: dict[str, str] = {}
        for si, raw_step in enumerate(raw_steps):
            spath = (*cpath, "steps", si)
            here = where("categories", ci, "steps", si)
            if not isinstance(raw_step, dict):
                problems.append(
                    Problem(at(*spath), here, _("A step has a title and success criteria."))
                )
                continue
            unknown = sorted(
                set(map(str, raw_step))
                - {"title", "success_criteria", "model", "non_examples", "resources"}
            )
            if unknown:
                problems.append(
                    Problem(
                        at(*spath),
                        here,
                        _(
                            "Unknown key %s; a step has title, success_criteria, model, "
                            "non_examples and resources."
                        )
                        % ", ".join(unknown),
                    )
                )
            criteria_raw = raw_step.get("success_criteria")
            if isinstance(criteria_raw, str):
                criteria = split_criteria(criteria_raw)
            elif isinstance(criteria_raw, list):
                criteria = [clean_line(_str(c)) for c in criteria_raw if clean_line(_str(c))]
            else:
                criteria = []
            resources_raw = raw_step.get("resources")
            resources: list[dict[str, str]] | None = None
            if resources_raw is not None:
                if not isinstance(resources_raw, list) or not all(
                    isinstance(r, dict) for r in resources_raw
                ):
                    problems.append(
                        Problem(
                            at(*spath, "resources"),
                            f"{here}.resources",
                            _("Resources are a list of {title, url}."),
                        )
                    )
                else:
                    resources = [
                        {
                            "title": clean_line(_str(r.get("title"))),
                            "url": _str(r.get("url")).strip(),
                        }
                        for r in resources_raw
                    ]
            step = StepData(
                title=clean_line(_str(raw_step.get("title"))),
                success_criteria=criteria,
                model=clean_text(_str(raw_step.get("model"))),
                non_examples=clean_text(_str(raw_step.get("non_examples"))),
                resources=resources,
                line=at(*spath),
            )
            problems += _check_step(step, here, at(*spath))
            if step.title:
                key = step.title.casefold()
                if key in seen_steps:
                    problems.append(
                        Problem(
                            at(*spath, "title"),
                            f"{here}.title",
                            _("The step “%(s)s” is already at %(w)s.")
                            % {"s": step.title, "w": seen_steps[key]},
                        )
                    )
                    continue
                seen_steps[key] = here
            cat.steps.append(step)
        categories.append(cat)
    return categories, problems


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse(text: str, filename: str) -> tuple[list[CategoryData], list[Problem]]:
    if format_of(filename, text) == "csv":
        categories, problems = parse_csv(text)
    else:
        categories, problems = parse_yaml(text)
    if not problems:
        if len(categories) > MAX_CATEGORIES:
            problems.append(
                Problem(None, "", _("A library has at most %d categories.") % MAX_CATEGORIES)
            )
        if sum(len(c.steps) for c in categories) > MAX_STEPS:
            problems.append(Problem(None, "", _("A library has at most %d steps.") % MAX_STEPS))
        if not categories:
            problems.append(Problem(None, "", _("The file has no categories.")))
    return categories, problems


# --- Writing --------------------------------------------------------------------------------------


def _step_values(step: StepData, position: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "position": position,
        "success_criteria": step.success_criteria,
        "model": step.model,
        "non_examples": step.non_examples,
    }
    if step.resources is not None:
        values["resources"] = step.resources
    return values


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@transaction.atomic
def library_import(
    *, actor: User, organisation: Organisation, text: str | bytes, filename: str = ""
) -> ImportResult:
    """Import a library file (CSV or YAML) into the organisation's library. Every problem is
    reported and nothing is written when there is one."""
    policy.require(actor, Action.MANAGE, organisation)
    result = ImportResult()
    if len(text) > MAX_BYTES:
        result.problems.append(
            Problem(None, "", _("The file is larger than %d MB.") % (MAX_BYTES // 1_000_000))
        )
        return result
    try:
        decoded = _decode(text)
    except ValueError as error:
        result.problems.append(Problem(None, "", str(error)))
        return result
    categories, problems = parse(decoded, filename)
    if problems:
        result.problems = problems
        return result
    # Lock the organisation's library while it is rewritten.
    existing = {
        c.title: c
        for c in LibraryCategory.objects.select_for_update().filter(organisation=organisation)
    }
    in_file = {c.title for c in categories}
    others = sorted(
        (c for t, c in existing.items() if t not in in_file), key=lambda c: (c.position, c.pk)
    )
    position = 0
    for data in categories:
        cat = existing.get(data.title)
        if cat is None:
            cat = LibraryCategory.objects.create(
                organisation=organisation,
                title=data.title,
                description=data.description,
                position=position,
            )
            result.categories_created += 1
        elif _apply(cat, {"description": data.description, "position": position}):
            cat.save(update_fields=["description", "position"])
            result.categories_updated += 1
        else:
            result.unchanged += 1
        position += 1
        _import_steps(cat, data.steps, result)
    for cat in others:  # not in the file: kept, after the file's categories
        if cat.position != position:
            cat.position = position
            cat.save(update_fields=["position"])
        position += 1
    audit.record(
        actor=actor,
        action="library.import",
        target=organisation,
        data={
            "categories_created": result.categories_created,
            "categories_updated": result.categories_updated,
            "steps_created": result.steps_created,
            "steps_updated": result.steps_updated,
        },
    )
    return result


def _import_steps(cat: LibraryCategory, steps: list[StepData], result: ImportResult) -> None:
    existing = {s.title: s for s in LibraryStep.objects.filter(category=cat)}
    in_file = {s.title for s in steps}
    others = sorted(
        (s for t, s in existing.items() if t not in in_file), key=lambda s: (s.position, s.pk)
    )
    position = 0
    for data in steps:
        values = _step_values(data, position)
        step = existing.get(data.title)
        if step is None:
            LibraryStep.objects.create(
                organisation_id=cat.organisation_id, category=cat, title=data.title, **values
            )
            result.steps_created += 1
        elif _apply(step, values):
            step.save()
            result.steps_updated += 1
        else:
            result.unchanged += 1
        position += 1
    for step in others:
        if step.position != position:
            step.position = position
            step.save(update_fields=["position"])
        position += 1


# --- Export ---------------------------------------------------------------------------------------


def library_data(organisation: Organisation) -> list[CategoryData]:
    categories = list(
        LibraryCategory.objects.filter(organisation=organisation).order_by("position", "id")
    )
    steps: dict[int, list[StepData]] = {c.pk: [] for c in categories}
    for s in LibraryStep.objects.filter(category__in=categories).order_by("position", "id"):
        steps[s.category_id].append(
            StepData(
                title=s.title,
                success_criteria=list(s.success_criteria),
                model=s.model,
                non_examples=s.non_examples,
                resources=[
                    {"title": str(r.get("title", "")), "url": str(r.get("url", ""))}
                    for r in (s.resources or [])
                ],
            )
        )
    return [CategoryData(c.title, c.description, steps[c.pk]) for c in categories]


def export_csv(categories: list[CategoryData]) -> bytes:
    """CSV, one line per step (a category without steps gets a line of its own); the category
    description on the category's first line; criteria and resources one a line in their cell.
    Cells that a spreadsheet would run as formulas start with an apostrophe (see
    `export_cell`), which the import removes again."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cat in categories:
        rows: list[StepData | None] = list(cat.steps) or [None]
        for n, step in enumerate(rows):
            description = cat.description if n == 0 else ""
            if step is None:
                cells = [cat.title, "", "", "", "", description, ""]
            else:
                resources = "\n".join(
                    f"{r['title']}{RESOURCE_SEPARATOR}{r['url']}" for r in step.resources or []
                )
                criteria = "\n".join(step.success_criteria)
                cells = [
                    cat.title,
                    step.title,
                    criteria,
                    step.model,
                    step.non_examples,
                    description,
                    resources,
                ]
            writer.writerow([export_cell(c) for c in cells])
    return out.getvalue().encode("utf-8")


def export_yaml(categories: list[CategoryData]) -> bytes:
    data = []
    for cat in categories:
        entry: dict[str, Any] = {"title": cat.title}
        if cat.description:
            entry["description"] = cat.description
        entry["steps"] = []
        for step in cat.steps:
            item: dict[str, Any] = {
                "title": step.title,
                "success_criteria": list(step.success_criteria),
            }
            if step.model:
                item["model"] = step.model
            if step.non_examples:
                item["non_examples"] = step.non_examples
            if step.resources:
                item["resources"] = step.resources
            entry["steps"].append(item)
        data.append(entry)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return ("# Coachloop action-step library (docs/action-steps.md)\n" + text).encode("utf-8")


def library_export(organisation: Organisation, format: str) -> bytes:
    """The organisation's own library as a file that imports back to the same library. The
    caller checks that the reader may see it."""
    categories = library_data(organisation)
    if format == "csv":
        return export_csv(categories)
    if format == "yaml":
        return export_yaml(categories)
    raise ValueError(format)
