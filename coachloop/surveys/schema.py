"""The instrument file format: a survey as data.

An instrument is a YAML (or JSON) document validated against the models below, the way playbooks
are (coachloop/playbooks/schema.py): unknown keys are refused, and every problem names the file,
the path inside it and what is wrong, for example
``lfl.yaml: domains[1].items[3].key: another item already has key "focus-2"``.

docs/instruments.md is the reference for authors.

Kinds of instrument:

- ``school``: a school-wide survey answered by its staff (leadership for learning);
- ``360``: a survey about one person, answered by that person (``self``) and their raters;
- ``feedback``: a participant feedback form (answers about a session, a coach or a programme);
- ``self``: a self-assessment, answered by one person about themself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from coachloop.playbooks.schema import Problem, _path, digest, yaml_problem

FORMAT = 1

Key = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=60)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]

RespondentRole = Literal["teacher", "staff", "leader", "self", "supervisor", "peer", "participant"]
InstrumentKind = Literal["school", "360", "feedback", "self"]

#: How each respondent role is shown; the order is the order of report columns.
ROLE_LABELS: dict[str, str] = {
    "self": "Self",
    "leader": "Leaders",
    "teacher": "Teachers",
    "staff": "Other staff",
    "supervisor": "Supervisors",
    "peer": "Peers",
    "participant": "Participants",
}

#: The smallest anonymity threshold an instrument may set (DESIGN.md, invariant 2).
MIN_K = 3


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointSpec(_Strict):
    value: int = Field(ge=0, le=100)
    label: Text


class ScaleSpec(_Strict):
    key: Key
    label: Text
    #: likert: agreement; frequency: how often; both are scored by the points' values
    kind: Literal["likert", "frequency"] = "likert"
    points: list[PointSpec] = Field(min_length=2, max_length=11)
    #: the label of the "not applicable" answer, if respondents may give one; it scores nothing
    not_applicable: Text | None = None

    @property
    def low(self) -> int:
        return min(p.value for p in self.points)

    @property
    def high(self) -> int:
        return max(p.value for p in self.points)

    def label_of(self, value: int | None) -> str:
        if value is None:
            return self.not_applicable or ""
        return next((p.label for p in self.points if p.value == value), str(value))


class ItemSpec(_Strict):
    key: Key
    text: Text
    #: the wording the subject of a 360 reads when rating themself ("I ...")
    self_text: Text | None = None
    scale: Key
    #: who is asked this item; empty: every role of the instrument
    roles: list[RespondentRole] = []


class DomainSpec(_Strict):
    key: Key
    title: Text
    description: LongText = ""
    items: list[ItemSpec] = Field(min_length=1)


class QuestionSpec(_Strict):
    """A free-text question. Its answers are shown unattributed and shuffled, and only for groups
    of at least `comment_k`."""

    key: Key
    prompt: Text
    roles: list[RespondentRole] = []


class Instrument(_Strict):
    format: Literal[1]
    key: Key
    name: Text
    kind: InstrumentKind
    summary: LongText = ""
    source: LongText = ""
    #: introduction shown to respondents before the first question
    introduction: LongText = ""
    roles: list[RespondentRole] = Field(min_length=1)
    #: results of a group are shown only when at least k people in it answered
    k: int = Field(default=5, ge=MIN_K, le=1000)
    #: free-text answers need a larger group
    comment_k: int = Field(default=10, ge=MIN_K, le=1000)
    #: items whose mean is below this are target areas (on the instrument's scale)
    target_below: float | None = None
    #: how many of the highest and lowest domains and items the report names
    highlight: int = Field(default=3, ge=1, le=10)
    scales: list[ScaleSpec] = Field(min_length=1)
    domains: list[DomainSpec] = Field(min_length=1)
    questions: list[QuestionSpec] = []

    # --- lookups ---------------------------------------------------------------------------------

    def scale(self, key: str) -> ScaleSpec:
        return next(s for s in self.scales if s.key == key)

    def items(self) -> Iterator[tuple[DomainSpec, ItemSpec]]:
        for domain in self.domains:
            for item in domain.items:
                yield domain, item

    def item(self, key: str) -> ItemSpec:
        return next(i for _d, i in self.items() if i.key == key)

    def domain_of(self) -> dict[str, str]:
        """Item key to domain key."""
        return {i.key: d.key for d, i in self.items()}

    def items_for(self, role: str) -> list[ItemSpec]:
        return [i for _d, i in self.items() if not i.roles or role in i.roles]

    def questions_for(self, role: str) -> list[QuestionSpec]:
        return [q for q in self.questions if not q.roles or role in q.roles]

    def role_label(self, role: str) -> str:
        return ROLE_LABELS.get(role, role)

    def digest(self) -> str:
        return digest(self.model_dump(mode="json"))


class InstrumentError(ValueError):
    """The instrument is not valid. `problems` each name a path inside the file."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [
            f"{self.source}: {p.path}: {p.message}" if p.path else f"{self.source}: {p.message}"
            for p in self.problems
        ]


_SCHEMA_MESSAGES = {
    "extra_forbidden": "unknown key; check its spelling against docs/instruments.md",
    "missing": "required, but missing",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": (
        "use lower-case letters, digits, - and _ only, starting with a letter or a digit "
        "(such as focus-goals)"
    ),
}


def _message(e: Any) -> str:
    """One pydantic error in words an instrument's author can act on."""
    kind = e["type"]
    ctx = e.get("ctx") or {}
    loc = list(e["loc"])
    last = loc[-1] if loc else ""
    if kind in _SCHEMA_MESSAGES:
        return _SCHEMA_MESSAGES[kind]
    if kind == "too_short":
        if last == "points":
            return "a scale needs at least 2 points, each with a value and a label"
        if ctx.get("min_length", 1) <= 1:
            return "must not be empty"
        return f"needs at least {ctx['min_length']} entries"
    if kind == "too_long":
        return f"has too many entries: at most {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind in ("model_type", "dict_type") and len(loc) >= 2 and loc[-2] == "points":
        return "write each point as a value and a label, such as {value: 1, label: Never}"
    if kind in ("model_type", "dict_type"):
        return "must be a mapping of keys to values"
    if kind == "greater_than_equal" and last in ("k", "comment_k"):
        return (
            f"must be at least {MIN_K}: results of smaller groups could identify the people "
            "who answered"
        )
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "literal_error":
        return str(e["msg"]).replace("Input should be", "must be one of")
    return str(e["msg"]).replace("Input should be", "must be")


def _from_pydantic(error: PydanticValidationError) -> list[Problem]:
    return [Problem(_path(list(e["loc"])), _message(e)) for e in error.errors()]


def _check(ins: Instrument) -> list[Problem]:
    """The rules a schema cannot say: unique keys, references, thresholds."""
    problems: list[Problem] = []
    scales = {}
    for i, scale in enumerate(ins.scales):
        if scale.key in scales:
            problems.append(
                Problem(f"scales[{i}].key", f'another scale already has key "{scale.key}"')
            )
        scales[scale.key] = scale
        values = [p.value for p in scale.points]
        if len(set(values)) != len(values):
            problems.append(Problem(f"scales[{i}].points", "two points have the same value"))
        elif values != sorted(values):
            problems.append(
                Problem(f"scales[{i}].points", "list the points from lowest to highest")
            )
    domains: set[str] = set()
    items: set[str] = set()
    for d, domain in enumerate(ins.domains):
        if domain.key in domains:
            problems.append(
                Problem(f"domains[{d}].key", f'another domain already has key "{domain.key}"')
            )
        domains.add(domain.key)
        ranges: set[tuple[int, int]] = set()
        for i, item in enumerate(domain.items):
            here = f"domains[{d}].items[{i}]"
            if item.key in items:
                problems.append(
                    Problem(f"{here}.key", f'another item already has key "{item.key}"')
                )
            items.add(item.key)
            if item.scale not in scales:
                problems.append(Problem(f"{here}.scale", f'no scale "{item.scale}" in scales'))
            else:
                ranges.add((scales[item.scale].low, scales[item.scale].high))
            for role in item.roles:
                if role not in ins.roles:
                    problems.append(
                        Problem(f"{here}.roles", f'"{role}" is not one of the instrument\'s roles')
                    )
        if len(ranges) > 1:
            problems.append(
                Problem(
                    f"domains[{d}].items",
                    "every item of a domain must use scales with the same range, "
                    "so that its score means one thing",
                )
            )
    questions: set[str] = set()
    for q, question in enumerate(ins.questions):
        if question.key in questions or question.key in items:
            problems.append(
                Problem(f"questions[{q}].key", f'another question or item has key "{question.key}"')
            )
        questions.add(question.key)
        for role in question.roles:
            if role not in ins.roles:
                problems.append(
                    Problem(
                        f"questions[{q}].roles", f'"{role}" is not one of the instrument\'s roles'
                    )
                )
    if len(set(ins.roles)) != len(ins.roles):
        problems.append(Problem("roles", "a role is listed twice"))
    if "self" in ins.roles and ins.kind not in ("360", "self"):
        problems.append(Problem("roles", 'only 360 and self instruments have the "self" role'))
    if ins.kind == "360" and "self" not in ins.roles:
        problems.append(Problem("roles", 'a 360 needs the "self" role'))
    if ins.kind == "self" and ins.roles != ["self"]:
        problems.append(Problem("roles", 'a self-assessment has the one role "self"'))
    if ins.comment_k < ins.k:
        problems.append(
            Problem("comment_k", f"must be at least k ({ins.k}): comments need a larger group")
        )
    if ins.target_below is not None and not problems:
        low = min(s.low for s in ins.scales)
        high = max(s.high for s in ins.scales)
        if not low <= ins.target_below <= high:
            problems.append(Problem("target_below", f"must lie on the scale, {low} to {high}"))
    return problems


def unasked_roles(ins: Instrument) -> list[Problem]:
    """Roles that no item is asked of: their respondents would get an empty survey. Checked on
    the files that programme administrators save and upload (surveys.instrument_services), and
    on the built-in files by their tests, not by `parse`, which also reads generated and stored
    definitions."""
    return [
        Problem(
            f"roles[{r}]", f'no item is asked of "{role}": add it to an item\'s roles, or remove it'
        )
        for r, role in enumerate(ins.roles)
        if not ins.items_for(role)
    ]


def parse(data: Any, source: str) -> Instrument:
    """Validate already-decoded data (from YAML, JSON or the database)."""
    if not isinstance(data, dict):
        raise InstrumentError(source, [Problem("", "an instrument is a mapping of keys to values")])
    try:
        instrument = Instrument.model_validate(data)
    except PydanticValidationError as error:
        raise InstrumentError(source, _from_pydantic(error)) from None
    problems = _check(instrument)
    if problems:
        raise InstrumentError(source, problems)
    return instrument


def load(text: str, source: str) -> Instrument:
    """Validate an instrument file's text: YAML, or JSON. A .json file is read as JSON, so its
    messages name JSON's lines and columns; another text that starts with "{" is tried as JSON,
    then as YAML (a YAML flow mapping is not JSON)."""
    strict = source.lower().endswith(".json")
    if strict or text.lstrip().startswith("{"):
        try:
            return parse(json.loads(text), source)
        except json.JSONDecodeError as error:
            not_json = InstrumentError(
                source,
                [
                    Problem(
                        f"line {error.lineno}, column {error.colno}", f"not valid JSON: {error.msg}"
                    )
                ],
            )
        if strict:
            raise not_json
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            raise not_json from None
        return parse(data, source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InstrumentError(source, [yaml_problem(error)]) from None
    return parse(data, source)


def dump(instrument: Instrument) -> str:
    """The instrument as YAML, in the file format (for copying and editing)."""
    data = instrument.model_dump(mode="json", exclude_defaults=True)
    data = {"format": FORMAT, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


_STORED: dict[str, Instrument] = {}


def from_stored(digest: str, definition: dict[str, Any]) -> Instrument:
    """A stored version's definition, parsed once per process (a version never changes)."""
    instrument = _STORED.get(digest)
    if instrument is None:
        if len(_STORED) > 512:
            _STORED.clear()
        instrument = _STORED[digest] = Instrument.model_validate(definition)
    return instrument
