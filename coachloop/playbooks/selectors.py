"""Reads for playbooks, through the policy: the list, one version laid out for its page, and the
version history. A fixed number of queries, whatever the number of playbooks or versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook, PlaybookVersion

KIND_LABELS = {
    "note": _("Notes"),
    "plan": _("The plan"),
    "form": _("Form answers"),
    "meeting": _("Meeting minutes"),
    "score": _("Scores"),
    "portfolio": _("Portfolio entries"),
    "feedback": _("Feedback results"),
}

STEP_KIND_LABELS = {
    "task": _("Task with a checklist"),
    "agreement": _("Agreement to sign"),
    "meeting": _("Meeting"),
    "form": _("Form"),
    "plan": _("Plan"),
    "plan_approval": _("Plan approval"),
    "feedback": _("Anonymous feedback"),
    "score": _("Scoring on a rubric"),
    "portfolio": _("Portfolio review"),
}

FIELD_TYPE_LABELS = {
    "text": _("Short text"),
    "textarea": _("Long text"),
    "number": _("Number"),
    "date": _("Date"),
    "choice": _("Choice"),
    "scale": _("Scale"),
}

MODE_LABELS = {"in_person": _("in person"), "phone": _("phone"), "video": _("video")}


def playbook_list(*, user: User, query: str = "") -> QuerySet[Playbook]:
    """The playbooks the user may see, built-in ones first, with their current version number
    (never the definitions: a list does not need them)."""
    playbooks = policy.playbooks_visible_to(user)
    for word in query.split()[:5]:
        playbooks = playbooks.filter(name__icontains=word)
    return (
        playbooks.select_related("organisation", "current", "based_on")
        .defer("current__definition")
        .order_by(F("organisation").asc(nulls_first=True), "name", "pk")
    )


def visible_ids(*, user: User, ids: set[int]) -> set[int]:
    """Which of these playbooks the user may see (to link a copy's original only when it is)."""
    if not ids:
        return set()
    return set(policy.playbooks_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def playbook_versions(*, playbook: Playbook) -> QuerySet[PlaybookVersion]:
    """The version history, newest first, without the definitions."""
    return playbook.versions.select_related("created_by").defer("definition").order_by("-number")


def playbook_version(*, playbook: Playbook, number: int | None) -> PlaybookVersion | None:
    """A given version of the playbook, or its current one; None when there is no such one."""
    if number is None:
        return playbook.current
    return playbook.versions.filter(number=number).first()


# --- One version, laid out for its page -----------------------------------------------------------


@dataclass
class StepLayout:
    spec: schema.StepSpec
    owner: str
    also: list[str]
    kind: str
    uses: str  # the form, rubric or meeting type it uses, by title
    uses_anchor: str


@dataclass
class PhaseLayout:
    spec: schema.PhaseSpec
    number: int
    steps: list[StepLayout]


@dataclass
class RubricLayout:
    spec: schema.RubricSpec
    rows: list[tuple[schema.CriterionSpec, list[str]]]


@dataclass
class FormLayout:
    spec: schema.FormSpec
    filled_by: list[str]
    visibility: str
    fields: list[tuple[schema.FieldSpec, str]]


@dataclass
class MeetingLayout:
    spec: schema.MeetingTypeSpec
    attendees: list[str]
    modes: list[str]


@dataclass
class Layout:
    spec: schema.Playbook
    roles: list[tuple[str, schema.RoleSpec]]
    phases: list[PhaseLayout] = field(default_factory=list)
    forms: list[FormLayout] = field(default_factory=list)
    rubrics: list[RubricLayout] = field(default_factory=list)
    meetings: list[MeetingLayout] = field(default_factory=list)
    visibility: list[tuple[Any, str]] = field(default_factory=list)
    agreement_signers: list[str] = field(default_factory=list)
    plan_approver: str = ""
    step_count: int = 0


def _visibility_label(value: str) -> str:
    return str(Visibility(value).label)


def layout(spec: schema.Playbook) -> Layout:
    """The playbook as its page shows it: role labels instead of role names, titles instead of
    keys, each rubric as a table of criteria by levels."""
    label = spec.role_label
    out = Layout(spec, list(spec.roles.items()))
    for number, phase in enumerate(spec.phases, start=1):
        steps = []
        for step in phase.steps:
            uses, anchor = "", ""
            if step.form:
                uses, anchor = spec.form(step.form).title, f"form-{step.form}"
            elif step.rubric:
                uses, anchor = spec.rubric(step.rubric).title, f"rubric-{step.rubric}"
            elif step.meeting:
                uses, anchor = spec.meeting_type(step.meeting).title, f"meeting-{step.meeting}"
            steps.append(
                StepLayout(
                    step,
                    label(step.owner),
                    [label(r) for r in step.also],
                    str(STEP_KIND_LABELS.get(step.kind, step.kind)),
                    uses,
                    anchor,
                )
            )
            out.step_count += 1
        out.phases.append(PhaseLayout(phase, number, steps))
    for form in spec.forms:
        out.forms.append(
            FormLayout(
                form,
                [label(r) for r in form.filled_by],
                _visibility_label(form.visibility or spec.default_visibility("form")),
                [(f, str(FIELD_TYPE_LABELS.get(f.type, f.type))) for f in form.fields],
            )
        )
    for rubric in spec.rubrics:
        rows = [
            (criterion, [criterion.descriptors.get(level.score, "") for level in rubric.levels])
            for criterion in rubric.criteria
        ]
        out.rubrics.append(RubricLayout(rubric, rows))
    for meeting in spec.meeting_types:
        out.meetings.append(
            MeetingLayout(
                meeting,
                [label(r) for r in meeting.attendees],
                [str(MODE_LABELS.get(m, m)) for m in meeting.modes],
            )
        )
    out.visibility = [
        (text, _visibility_label(spec.default_visibility(kind)))
        for kind, text in KIND_LABELS.items()
    ]
    if spec.agreement:
        out.agreement_signers = [label(r) for r in spec.agreement.signers]
    if spec.plan and spec.plan.approval:
        out.plan_approver = label(spec.plan.approval)
    return out


def step_of(spec: schema.Playbook, step_key: str) -> tuple[schema.PhaseSpec, schema.StepSpec]:
    """The phase and step with this key; LookupError when there is none."""
    for phase, step in spec.steps():
        if step.key == step_key:
            return phase, step
    raise LookupError(step_key)
