"""The playbook file format: a coaching process as data.

A playbook is a YAML (or JSON) document validated against the models below. Unknown keys are
refused, so a typo never silently drops a rule. `load()` turns a file's text into a `Playbook`
or raises `PlaybookError`, whose problems each name the file, the path inside it and what is
wrong, for example ``performance.yaml: phases[2].steps[0].form: no form "scoring" in forms``.

docs/playbooks.md is the reference for authors; `json_schema()` gives the same rules as a JSON
Schema for editors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

FORMAT = 1

Key = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=60)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
RoleName = Literal["coach", "coachee", "sponsor", "district_rep"]
VisibilityName = Literal["private", "team", "sponsors", "programme"]
ContentKind = Literal[
    "note",
    "plan",
    "form",
    "meeting",
    "score",
    "portfolio",
    "feedback",
    "action_step",
    "observation",
    "goal",
    "effectiveness",
    "report",
    "target_area",
    "school_action",
    "profile",
    "message",
    "contact",
]
StepKind = Literal[
    "task",  # done by hand when its checklist is ticked
    "agreement",  # done when every signer has signed the current agreement text
    "meeting",  # done when a meeting of `meeting` type has been held
    "form",  # done when `form` has been filled in
    "plan",  # done when the plan is sent for approval (or saved, without approval)
    "plan_approval",  # done when the plan is approved
    "feedback",  # done when an anonymous collection of `form` is closed
    "score",  # done when a performance is scored on `rubric`
    "portfolio",  # done when a portfolio entry is accepted
    "action_step",  # done when the coachee has a current action step
    "observation",  # done when an observation is finished
    "goals",  # done when every coachee has at least one goal (peer coaching)
    "effectiveness",  # done when every rating of `point` is in (the four levels)
    "survey",  # done when an administration of `instrument` for the engagement closes
    "resurvey",  # done when a re-administration (one with a previous) of `instrument` closes
    "target_areas",  # done when target areas are chosen from a report
    "school_actions",  # done when the school has an action step for a target area
    "check_in",  # done when an action step has a check-in
    "profile_self",  # done when the coach rates themself on the practice profile `rubric`
    "profile_lead",  # done when the lead coach rates the coach on `rubric` from observation
]

#: The step kinds that name the form, rubric or meeting type they use.
NEEDS = {
    "form": "form",
    "feedback": "form",
    "score": "rubric",
    "meeting": "meeting",
    "effectiveness": "point",
    "survey": "instrument",
    "resurvey": "instrument",
    "profile_self": "rubric",
    "profile_lead": "rubric",
}

DEFAULT_VISIBILITY: dict[str, VisibilityName] = {
    "note": "team",
    "plan": "sponsors",
    "form": "team",
    "meeting": "team",
    "score": "team",
    "portfolio": "sponsors",
    "feedback": "team",
    "action_step": "team",
    "observation": "team",
    "goal": "sponsors",
    "effectiveness": "sponsors",
    "report": "sponsors",
    "target_area": "sponsors",
    "school_action": "sponsors",
    "profile": "team",
    "message": "team",
    "contact": "team",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(_Strict):
    label: Text
    required: bool = True
    many: bool = False


class FieldSpec(_Strict):
    key: Key
    label: Text
    type: Literal["text", "textarea", "number", "date", "choice", "scale"] = "textarea"
    required: bool = False
    help: LongText = ""
    choices: list[Text] = []
    #: for `scale`: the lowest and highest point, for example 1 to 4
    scale: tuple[int, int] = (1, 4)


class FormSpec(_Strict):
    key: Key
    title: Text
    description: LongText = ""
    #: who fills it in; `anonymous` forms are answered by link, without an account or a name
    filled_by: list[RoleName] = ["coach"]
    anonymous: bool = False
    #: several answers per engagement (a list of barriers), not one
    repeatable: bool = False
    visibility: VisibilityName | None = None
    #: anonymous forms: results appear only once this many people answered (never below 3)
    min_responses: int = Field(default=5, ge=3)
    #: anonymous forms: free-text answers need a larger group
    min_responses_for_comments: int = Field(default=10, ge=3)
    fields: list[FieldSpec] = Field(min_length=1)


class LevelSpec(_Strict):
    score: int = Field(ge=0, le=100)
    label: Text


class CriterionSpec(_Strict):
    key: Key
    title: Text
    #: what each level looks like, by score
    descriptors: dict[int, LongText] = {}


class RubricSpec(_Strict):
    key: Key
    title: Text
    description: LongText = ""
    levels: list[LevelSpec] = Field(min_length=2)
    criteria: list[CriterionSpec] = Field(min_length=1)


class AgendaStage(_Strict):
    title: Text
    minutes: int = Field(ge=0, le=600)
    prompt: LongText = ""
    #: short reminders the meeting guide shows during the stage ("Be specific")
    tips: list[Text] = []
    #: what the meeting guide offers in this stage besides notes: choosing the next action step,
    #: logging practice attempts, or planning the next cycle
    tool: Literal["notes", "action_step", "practice", "plan"] = "notes"


class MeetingTypeSpec(_Strict):
    key: Key
    title: Text
    minutes: int = Field(default=60, ge=5, le=600)
    modes: list[Literal["in_person", "phone", "video"]] = ["in_person", "phone", "video"]
    attendees: list[RoleName] = ["coach", "coachee"]
    agenda: list[AgendaStage] = []
    #: who can read this type's minutes by default (a triad meeting with the supervisors:
    #: sponsors); none: the playbook's default for meetings
    visibility: VisibilityName | None = None


class InPersonRule(_Strict):
    at_least: int = Field(ge=1)
    of: int = Field(ge=1)


class CadenceSpec(_Strict):
    """How often a team meets, checked continuously (meetings.cadence)."""

    #: the meeting types that count; empty: every type
    meeting_types: list[Key] = []
    meetings_per_month_at_least: int | None = Field(default=None, ge=1)
    in_person: InPersonRule | None = None
    meeting_minutes: int | None = Field(default=None, ge=5)
    #: by this day of the month, the month's session should be scheduled (a reminder goes out,
    #: and the engagement is at risk)
    schedule_by_day: int = Field(default=10, ge=1, le=28)


class CycleSpec(_Strict):
    """Repeated coaching cycles around action steps (Study, Observe, Feedback, Plan): a cycle
    closes when its feedback meeting (`meeting`) is held, and the next one opens."""

    meeting: Key
    #: how many action steps a coachee may have current at once in one engagement
    current_steps: int = Field(default=1, ge=1, le=5)
    #: the rubric an observation may optionally be scored on
    observation_rubric: Key | None = None
    #: the usual length of an observation, in minutes
    observation_minutes: int = Field(default=15, ge=1, le=180)
    study_prompt: LongText = ""


class EffectivenessLevelSpec(_Strict):
    """One level of coaching effectiveness ("Reaction"), with what shows it."""

    key: Key
    title: Text
    question: LongText = ""
    indicators: list[Text] = Field(min_length=1)


class EffectivenessPointSpec(_Strict):
    """A set point at which the levels are rated (start, middle, end)."""

    key: Key
    title: Text
    due_days: int = Field(ge=0, le=3650)


class EffectivenessSpec(_Strict):
    """The levels of coaching effectiveness, rated by each coachee about themself and by their
    partner, at set points. A level is reached when it and every level below it are rated at
    least `reached_at` on the scale."""

    levels: list[EffectivenessLevelSpec] = Field(min_length=1)
    points: list[EffectivenessPointSpec] = Field(min_length=1)
    rated_by: list[Literal["self", "partner"]] = Field(default=["self", "partner"], min_length=1)
    scale: tuple[int, int] = (1, 4)
    scale_labels: list[Text] = []
    reached_at: int = 3


class CoachDevelopmentSpec(_Strict):
    """A playbook for coaching the coaches (seed 003): the engagement's coachee is a coach, its
    coach their lead coach, and `profile` names the practice-profile rubric both rate on."""

    profile: Key


class ResponsivenessSpec(_Strict):
    """How quickly a coach answers a coachee's questions (seed 003: "responsive ... in a timely
    manner, explicitly and mutually agreed upon"): the default the team may change."""

    response_days: int = Field(default=2, ge=1, le=30)


class CoachingFeedbackSpec(_Strict):
    """Short coaching-experience feedback requests to coachees about their coach (seed 003:
    "requests and is responsive to feedback ... about the coaching experience")."""

    #: the instrument asked (surveys), by key
    instrument: Key
    #: ask the coachee when one of their coaching cycles closes
    after_cycle: bool = False
    #: ask every coachee of the coach every this many months (3: each quarter)
    every_months: int | None = Field(default=None, ge=1, le=12)


class GoalsSpec(_Strict):
    """Goals per coachee, each from a source (peer coaching: DISC, a 360, academic testing)."""

    sources: list[Text] = Field(min_length=1)
    prompt: LongText = ""


class AgreementSpec(_Strict):
    title: Text
    text: LongText = Field(min_length=1)
    signers: list[RoleName] = Field(min_length=1)


class PlanSpec(_Strict):
    name: Text
    short_name: Text
    description: LongText = ""
    #: who approves the plan; none: the plan needs no approval
    approval: RoleName | None = "sponsor"
    goal_prompt: LongText = ""


class StepSpec(_Strict):
    key: Key
    title: Text
    description: LongText = ""
    owner: RoleName
    also: list[RoleName] = []
    kind: StepKind = "task"
    #: due this many days after the engagement starts
    due_days: int = Field(ge=0, le=3650)
    required: bool = True
    checklist: list[Text] = []
    form: Key | None = None
    rubric: Key | None = None
    meeting: Key | None = None
    #: effectiveness steps: the rating point they ask for
    point: Key | None = None
    #: survey steps: the key of the instrument they administer
    instrument: Key | None = None


class PhaseSpec(_Strict):
    key: Key
    title: Text
    purpose: LongText = ""
    steps: list[StepSpec] = Field(min_length=1)


class Playbook(_Strict):
    format: Literal[1]
    key: Key
    name: Text
    summary: LongText = ""
    source: LongText = ""
    roles: dict[RoleName, RoleSpec]
    visibility: dict[ContentKind, VisibilityName] = {}
    agreement: AgreementSpec | None = None
    plan: PlanSpec | None = None
    forms: list[FormSpec] = []
    rubrics: list[RubricSpec] = []
    meeting_types: list[MeetingTypeSpec] = []
    cadence: CadenceSpec | None = None
    cycle: CycleSpec | None = None
    #: peer coaching: every member of a team is both coach and coachee
    peer: bool = False
    goals: GoalsSpec | None = None
    effectiveness: EffectivenessSpec | None = None
    #: partners who can support action steps (seed 002: workshops, institutes)
    partners: list[Text] = []
    #: coaching the coaches: the practice profile the coach and their lead rate on
    coach_development: CoachDevelopmentSpec | None = None
    responsiveness: ResponsivenessSpec = ResponsivenessSpec()
    coaching_feedback: CoachingFeedbackSpec | None = None
    phases: list[PhaseSpec] = Field(min_length=1)

    # --- lookups the engine uses ---------------------------------------------------------------

    def default_visibility(self, kind: str) -> str:
        return self.visibility.get(kind, DEFAULT_VISIBILITY[kind])  # type: ignore[call-overload]

    def form(self, key: str) -> FormSpec:
        return next(f for f in self.forms if f.key == key)

    def rubric(self, key: str) -> RubricSpec:
        return next(r for r in self.rubrics if r.key == key)

    def meeting_type(self, key: str) -> MeetingTypeSpec:
        return next(m for m in self.meeting_types if m.key == key)

    def phase(self, key: str) -> PhaseSpec:
        return next(p for p in self.phases if p.key == key)

    def steps(self) -> Iterator[tuple[PhaseSpec, StepSpec]]:
        for phase in self.phases:
            for step in phase.steps:
                yield phase, step

    def role_label(self, role: str) -> str:
        spec = self.roles.get(role)  # type: ignore[call-overload]
        return spec.label if spec else role

    def digest(self) -> str:
        return digest(self.model_dump(mode="json"))


# --- Loading and checking -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


class PlaybookError(ValueError):
    """The playbook is not valid. `problems` each name a path inside the file."""

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


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MESSAGES = {
    "extra_forbidden": "unknown key; check its spelling against docs/playbooks.md",
    "missing": "required, but missing",
    "too_short": "must not be empty",
}


def _from_pydantic(error: PydanticValidationError) -> list[Problem]:
    problems = []
    for e in error.errors():
        loc = list(e["loc"])
        message = _MESSAGES.get(e["type"], e["msg"].replace("Input should be", "must be"))
        if e["type"] == "literal_error":
            message = e["msg"].replace("Input should be", "must be one of")
        problems.append(Problem(_path(loc), message))
    return problems


def _unique(items: list[Any], path: str, what: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for i, item in enumerate(items):
        if item.key in seen:
            problems.append(
                Problem(f"{path}[{i}].key", f'another {what} already has key "{item.key}"')
            )
        seen.add(item.key)
    return problems


def _check(pb: Playbook) -> list[Problem]:
    """The rules a schema cannot say: references, uniqueness, roles, thresholds."""
    problems = [
        *_unique(pb.phases, "phases", "phase"),
        *_unique(pb.forms, "forms", "form"),
        *_unique(pb.rubrics, "rubrics", "rubric"),
        *_unique(pb.meeting_types, "meeting_types", "meeting type"),
    ]
    forms = {f.key for f in pb.forms}
    rubrics = {r.key for r in pb.rubrics}
    meetings = {m.key for m in pb.meeting_types}
    roles = set(pb.roles)
    if "coach" not in roles or "coachee" not in roles:
        problems.append(Problem("roles", "an engagement needs at least a coach and a coachee"))

    def role_known(role: str, path: str) -> None:
        if role not in roles:
            problems.append(Problem(path, f'role "{role}" is not one of this playbook\'s roles'))

    step_keys: set[str] = set()
    for p, phase in enumerate(pb.phases):
        for s, step in enumerate(phase.steps):
            here = f"phases[{p}].steps[{s}]"
            if step.key in step_keys:
                problems.append(
                    Problem(f"{here}.key", f'another step already has key "{step.key}"')
                )
            step_keys.add(step.key)
            role_known(step.owner, f"{here}.owner")
            for i, role in enumerate(step.also):
                role_known(role, f"{here}.also[{i}]")
            for attr, known, what in (
                ("form", forms, "form"),
                ("rubric", rubrics, "rubric"),
                ("meeting", meetings, "meeting type"),
            ):
                ref = getattr(step, attr)
                if ref is not None and ref not in known:
                    plural = "meeting_types" if attr == "meeting" else f"{attr}s"
                    problems.append(Problem(f"{here}.{attr}", f'no {what} "{ref}" in {plural}'))
            needed = NEEDS.get(step.kind)
            if needed and getattr(step, needed) is None:
                problems.append(
                    Problem(f"{here}.{needed}", f'a "{step.kind}" step must name its {needed}')
                )
            if step.kind == "agreement" and pb.agreement is None:
                problems.append(Problem(f"{here}.kind", "an agreement step needs an agreement"))
            if step.kind in ("plan", "plan_approval") and pb.plan is None:
                problems.append(Problem(f"{here}.kind", f'a "{step.kind}" step needs a plan'))
            if step.kind == "plan_approval" and pb.plan is not None and pb.plan.approval is None:
                problems.append(
                    Problem(f"{here}.kind", "the plan of this playbook needs no approval")
                )
            if step.kind in ("action_step", "observation") and pb.cycle is None:
                problems.append(Problem(f"{here}.kind", f'a "{step.kind}" step needs a cycle'))
            if step.kind == "goals" and pb.goals is None:
                problems.append(Problem(f"{here}.kind", 'a "goals" step needs a goals section'))
            if step.kind == "effectiveness":
                if pb.effectiveness is None:
                    problems.append(
                        Problem(
                            f"{here}.kind", 'an "effectiveness" step needs an effectiveness section'
                        )
                    )
                elif step.point is not None and step.point not in {
                    p.key for p in pb.effectiveness.points
                }:
                    problems.append(
                        Problem(f"{here}.point", f'no point "{step.point}" in effectiveness.points')
                    )
            if step.kind in ("profile_self", "profile_lead") and (
                pb.coach_development is None or step.rubric != pb.coach_development.profile
            ):
                problems.append(
                    Problem(
                        f"{here}.rubric",
                        f'a "{step.kind}" step rates on coach_development.profile',
                    )
                )
            if step.kind == "feedback" and step.form in forms and not pb.form(step.form).anonymous:
                problems.append(Problem(f"{here}.form", "a feedback step needs an anonymous form"))
            if step.kind == "form" and step.form in forms and pb.form(step.form).anonymous:
                problems.append(
                    Problem(f"{here}.form", 'an anonymous form is collected by a "feedback" step')
                )
    if pb.coach_development is not None and pb.coach_development.profile not in rubrics:
        problems.append(
            Problem(
                "coach_development.profile",
                f'no rubric "{pb.coach_development.profile}" in rubrics',
            )
        )
    if pb.coaching_feedback is not None and not (
        pb.coaching_feedback.after_cycle or pb.coaching_feedback.every_months
    ):
        problems.append(
            Problem("coaching_feedback", "say when to ask: after_cycle, every_months, or both")
        )
    if pb.coaching_feedback is not None and pb.coaching_feedback.after_cycle and pb.cycle is None:
        problems.append(Problem("coaching_feedback.after_cycle", "needs a cycle"))
    for f, form in enumerate(pb.forms):
        if form.min_responses_for_comments < form.min_responses:
            problems.append(
                Problem(
                    f"forms[{f}].min_responses_for_comments",
                    "must be at least min_responses",
                )
            )
        for i, role in enumerate(form.filled_by):
            role_known(role, f"forms[{f}].filled_by[{i}]")
        problems += _unique(form.fields, f"forms[{f}].fields", "field")
        for i, field in enumerate(form.fields):
            if field.type == "choice" and not field.choices:
                problems.append(
                    Problem(f"forms[{f}].fields[{i}].choices", "a choice needs choices")
                )
            if field.type == "scale" and field.scale[0] >= field.scale[1]:
                problems.append(
                    Problem(
                        f"forms[{f}].fields[{i}].scale",
                        "the lowest point must be below the highest",
                    )
                )
    for r, rubric in enumerate(pb.rubrics):
        scores = [level.score for level in rubric.levels]
        if len(set(scores)) != len(scores):
            problems.append(Problem(f"rubrics[{r}].levels", "two levels share a score"))
        problems += _unique(rubric.criteria, f"rubrics[{r}].criteria", "criterion")
        for c, criterion in enumerate(rubric.criteria):
            for score in criterion.descriptors:
                if score not in scores:
                    problems.append(
                        Problem(
                            f"rubrics[{r}].criteria[{c}].descriptors.{score}",
                            "no level has this score",
                        )
                    )
    if pb.agreement:
        for i, role in enumerate(pb.agreement.signers):
            role_known(role, f"agreement.signers[{i}]")
    if pb.plan and pb.plan.approval:
        role_known(pb.plan.approval, "plan.approval")
        if pb.plan.approval in ("sponsor", "district_rep") and pb.default_visibility("plan") in (
            "private",
            "team",
        ):
            problems.append(
                Problem(
                    "visibility.plan",
                    "the plan's approver could not read it; use sponsors or programme",
                )
            )
    for m, meeting in enumerate(pb.meeting_types):
        total = sum(stage.minutes for stage in meeting.agenda)
        if total > meeting.minutes:
            problems.append(
                Problem(
                    f"meeting_types[{m}].agenda",
                    f"the stages take {total} minutes, more than the meeting's {meeting.minutes}",
                )
            )
        for i, role in enumerate(meeting.attendees):
            role_known(role, f"meeting_types[{m}].attendees[{i}]")
        for i, stage in enumerate(meeting.agenda):
            if stage.tool in ("action_step", "practice") and pb.cycle is None:
                problems.append(
                    Problem(
                        f"meeting_types[{m}].agenda[{i}].tool",
                        f'the "{stage.tool}" tool works on action steps; add a cycle',
                    )
                )
    if pb.cycle:
        if pb.cycle.meeting not in meetings:
            problems.append(
                Problem("cycle.meeting", f'no meeting type "{pb.cycle.meeting}" in meeting_types')
            )
        wanted = pb.cycle.observation_rubric
        if wanted is not None and wanted not in rubrics:
            problems.append(Problem("cycle.observation_rubric", f'no rubric "{wanted}" in rubrics'))
    if pb.cadence:
        for i, key in enumerate(pb.cadence.meeting_types):
            if key not in meetings:
                problems.append(
                    Problem(
                        f"cadence.meeting_types[{i}]", f'no meeting type "{key}" in meeting_types'
                    )
                )
    if pb.peer and not (pb.roles.get("coach") and pb.roles["coach"].many):
        problems.append(
            Problem("roles.coach", "a peer playbook's teams have several members; set many")
        )
    if pb.effectiveness:
        eff = pb.effectiveness
        problems += _unique(eff.levels, "effectiveness.levels", "level")
        problems += _unique(eff.points, "effectiveness.points", "point")
        low, high = eff.scale
        if low >= high:
            problems.append(
                Problem("effectiveness.scale", "the lowest point must be below the highest")
            )
        elif not low <= eff.reached_at <= high:
            problems.append(
                Problem("effectiveness.reached_at", f"must be on the scale, {low} to {high}")
            )
        if eff.scale_labels and len(eff.scale_labels) != high - low + 1:
            problems.append(
                Problem("effectiveness.scale_labels", f"give one label per point, {high - low + 1}")
            )
        if "partner" in eff.rated_by and not pb.peer:
            problems.append(
                Problem(
                    "effectiveness.rated_by", "partners rate each other only in a peer playbook"
                )
            )
    if (
        pb.cadence
        and pb.cadence.in_person
        and pb.cadence.in_person.at_least > pb.cadence.in_person.of
    ):
        problems.append(Problem("cadence.in_person", "at_least cannot be more than of"))
    return problems


def parse(data: Any, source: str) -> Playbook:
    """Validate already-decoded data (from YAML, JSON or the database)."""
    if not isinstance(data, dict):
        raise PlaybookError(source, [Problem("", "a playbook is a mapping of keys to values")])
    try:
        playbook = Playbook.model_validate(data)
    except PydanticValidationError as error:
        raise PlaybookError(source, _from_pydantic(error)) from None
    problems = _check(playbook)
    if problems:
        raise PlaybookError(source, problems)
    return playbook


def yaml_problem(error: yaml.YAMLError) -> Problem:
    """Where a YAML file breaks and why, for playbook and instrument files alike."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(error, "problem", None) or "not valid YAML"
    return Problem(where, f"not valid YAML: {problem}")


def load(text: str, source: str) -> Playbook:
    """Validate a playbook file's text (YAML; JSON is YAML too)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PlaybookError(source, [yaml_problem(error)]) from None
    return parse(data, source)


def dump(playbook: Playbook) -> str:
    """The playbook as YAML, in the file format (for copying and editing)."""
    data = playbook.model_dump(mode="json", exclude_defaults=True)
    data = {"format": FORMAT, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


_STORED: dict[str, Playbook] = {}


def from_stored(digest: str, definition: dict[str, Any]) -> Playbook:
    """A stored version's definition, parsed once per process: a version never changes, and its
    digest names its content."""
    playbook = _STORED.get(digest)
    if playbook is None:
        if len(_STORED) > 512:
            _STORED.clear()
        playbook = _STORED[digest] = Playbook.model_validate(definition)
    return playbook


def json_schema() -> dict[str, Any]:
    return Playbook.model_json_schema()
