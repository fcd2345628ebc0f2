"""Input and output shapes of the API for playbooks, programmes, engagements and their content.

Outputs are read from model rows and from the selectors' page objects; a person inside content is
only ever `{id, name}`, never their email or memberships (those follow the people policy)."""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from ninja import Schema
from pydantic import Field


def _name(obj: Any) -> str:
    return str(obj["name"]) if isinstance(obj, dict) else str(obj)


class PersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return _name(obj)


# --- Playbooks ------------------------------------------------------------------------------------


class PlaybookOut(Schema):
    id: int
    key: str
    name: str
    organisation_id: int | None
    is_builtin: bool
    is_archived: bool
    based_on_id: int | None
    current_version: int | None = Field(
        None, description="The number of the version new engagements start with."
    )


class PlaybookVersionRef(Schema):
    number: int
    change: str
    created_at: datetime.datetime


class PlaybookVersionOut(PlaybookVersionRef):
    playbook_id: int
    definition: dict[str, Any] = Field(description="The playbook in its file format, as JSON.")


class PlaybookDetailOut(PlaybookOut):
    version: PlaybookVersionOut | None
    versions: list[PlaybookVersionRef]


# --- Programmes -----------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    playbook_id: int | None
    playbook_name: str | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    engagement_count: int = 0

    @staticmethod
    def resolve_playbook_name(obj: Any) -> str | None:
        return obj.playbook.name if obj.playbook_id else None


class ProgrammeIn(Schema):
    organisation_id: int
    name: str = Field(max_length=200)
    playbook_id: int
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    description: str = Field("", max_length=20_000)
    coaches: list[int | str] = Field(
        default_factory=list, description="The programme's coaches, by id or email."
    )


class PhaseCountOut(Schema):
    key: str
    title: str
    count: int


class OverdueStepOut(Schema):
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    step_key: str
    title: str
    owner_role: str
    due_on: datetime.date


class OverviewOut(Schema):
    programme: ProgrammeOut
    by_phase: list[PhaseCountOut] = Field(description="Active engagements in each phase.")
    active: int
    completed: int
    overdue: list[OverdueStepOut] = Field(description="The first 50 overdue steps, oldest first.")
    overdue_count: int


# --- Engagements ----------------------------------------------------------------------------------


class ParticipantOut(Schema):
    user: PersonRef
    role: str


class EngagementIn(Schema):
    title: str = Field("", max_length=200, description="Empty: “Coaching <coachee>”.")
    starts_on: datetime.date | None
    ends_on: datetime.date | None = None
    coachees: list[int | str] = Field(description="By id or email.")
    coaches: list[int | str] = Field(description="By id or email.")
    sponsors: list[int | str] = Field(default_factory=list, description="By id or email.")
    district_reps: list[int | str] = Field(default_factory=list, description="By id or email.")


class EngagementBulkIn(Schema):
    text: str = Field(
        max_length=200_000,
        description=(
            "One engagement per line, comma-separated: coachee, coach, sponsor, district "
            "representative (emails), start (YYYY-MM-DD), optional end. A header line is skipped."
        ),
    )


class ChecklistItemOut(Schema):
    index: int
    text: str
    done: bool


class StepOut(Schema):
    key: str
    phase_key: str
    title: str
    description: str
    kind: str
    owner_role: str
    also: list[str]
    required: bool
    due_on: datetime.date
    status: str
    overdue: bool
    completed_by: PersonRef | None
    completed_at: datetime.datetime | None
    note: str
    checklist: list[ChecklistItemOut]
    form: str | None
    rubric: str | None
    meeting: str | None


class StepRef(Schema):
    key: str
    title: str


class PhaseOut(Schema):
    key: str
    title: str
    purpose: str
    state: str = Field(description="done, current or upcoming")
    done: int
    total: int
    steps: list[StepOut]


class SignerOut(Schema):
    user: PersonRef
    role: str
    role_label: str
    state: str = Field(description="signed, stale (signed an earlier text) or unsigned")
    signed_name: str | None
    signed_at: datetime.datetime | None


class EngagementDetailOut(Schema):
    id: int
    title: str
    status: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    completed_at: datetime.datetime | None
    programme_id: int
    organisation_id: int
    playbook_id: int | None
    playbook_name: str | None
    playbook_version: int | None
    current_phase: str
    current_phase_title: str | None
    your_roles: list[str]
    can_coach: bool
    can_manage: bool
    can_write: bool
    participants: list[ParticipantOut]
    phases: list[PhaseOut]
    current_step: str | None = Field(description="The key of the first open step of this phase.")
    blocking: list[StepRef] = Field(description="Required open steps that hold the next phase.")
    next_phase: StepRef | None
    is_last_phase: bool
    agreement: list[SignerOut]


class StepPatch(Schema):
    due_on: datetime.date | None = Field(None, description="Coaches and administrators.")
    checklist: list[bool] | None = Field(None, description="One tick per checklist item, in order.")


class StepCompleteIn(Schema):
    note: str = Field("", max_length=500)


class StepSkipIn(Schema):
    reason: str = Field(max_length=500)


class EngagementCompleteIn(Schema):
    message: str = Field(
        "", max_length=5000, description="The recognition message; empty: the standard one."
    )


class AgreementOut(Schema):
    title: str | None
    text: str
    all_signed: bool
    signers: list[SignerOut]


class SignatureIn(Schema):
    name: str = Field(max_length=200, description="Your name as on your account.")


# --- Notes and forms ------------------------------------------------------------------------------


class NoteOut(Schema):
    id: int
    engagement_id: int
    title: str
    visibility: str
    author: PersonRef
    created_at: datetime.datetime


class NoteDetailOut(NoteOut):
    body: str


class NoteIn(Schema):
    title: str = Field("", max_length=200)
    body: str = Field(max_length=100_000)
    visibility: str | None = Field(None, description="Empty: the playbook's default for notes.")


class FormOut(Schema):
    key: str
    title: str
    description: str
    filled_by: list[str]
    repeatable: bool
    visibility: str = Field(description="The default visibility of an answer.")
    fields: list[dict[str, Any]]


class FormResponseOut(Schema):
    id: int
    engagement_id: int
    form_key: str
    title: str
    author: PersonRef
    visibility: str
    data: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class FormResponseIn(Schema):
    data: dict[str, Any] = Field(description="Answers by field key.")
    visibility: str | None = Field(None, description="Empty: the form's default.")


class ResourceOut(Schema):
    id: int
    engagement_id: int
    title: str
    url: str
    filename: str
    content_type: str
    author: PersonRef
    visibility: str
    created_at: datetime.datetime
    download_url: str | None = Field(description="For a file, with a signed-in browser session.")

    @staticmethod
    def resolve_download_url(obj: Any) -> str | None:
        if not obj.file:
            return None
        return reverse("resource_download", args=[obj.engagement_id, obj.pk])


class ResourceIn(Schema):
    title: str = Field(max_length=200)
    url: str = Field(max_length=200, description="https://… (files are added on the pages)")
    visibility: str | None = Field(None, description="Empty: team.")


# --- Plan -----------------------------------------------------------------------------------------


class GoalIn(Schema):
    title: str = ""
    measure: str = ""
    evidence: str = ""


class GoalOut(Schema):
    title: str
    measure: str
    evidence: str = ""


class PlanVersionOut(Schema):
    number: int
    summary: str
    goals: list[GoalOut]
    author: PersonRef
    created_at: datetime.datetime


class PlanReviewOut(Schema):
    number: int
    decision: str
    comments: str
    actor: PersonRef
    created_at: datetime.datetime


class PlanOut(Schema):
    engagement_id: int
    name: str
    short_name: str
    approval_role: str | None
    status: str
    number: int = Field(description="The current version: name it to change or approve it.")
    approved_number: int | None
    visibility: str
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime
    current: PlanVersionOut | None
    reviews: list[PlanReviewOut]


class PlanIn(Schema):
    summary: str = Field("", max_length=20_000)
    goals: list[GoalIn]
    base: int = Field(ge=0, description="The version you opened (0: there was none yet).")


class PlanSubmitIn(Schema):
    number: int


class PlanDecisionIn(Schema):
    number: int = Field(description="The version you read and decide on.")
    approve: bool
    comments: str = Field("", max_length=20_000)


class ChangeOut(Schema):
    op: str = Field(description="same, added or removed")
    text: str


class ConflictOut(Schema):
    detail: str
    errors: list[dict[str, str]] = []
    changes: list[ChangeOut]


# --- Scores and portfolio -------------------------------------------------------------------------


class RatingOut(Schema):
    criterion_key: str
    criterion: str
    level: int
    level_label: str
    evidence: str
    comment: str


class ScoreOut(Schema):
    id: int
    engagement_id: int
    rubric_key: str
    rubric_title: str
    subject: str
    author: PersonRef
    visibility: str
    feedback: str
    created_at: datetime.datetime
    ratings: list[RatingOut]

    @staticmethod
    def resolve_rubric_title(obj: Any) -> str:
        return str(obj.rubric.get("title", obj.rubric_key))

    @staticmethod
    def resolve_ratings(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "criterion_key": r.criterion_key,
                "criterion": r.criterion,
                "level": r.level,
                "level_label": obj.level_label(r.level),
                "evidence": r.evidence,
                "comment": r.comment,
            }
            for r in obj.ratings.all()
        ]


class RatingIn(Schema):
    level: int | None = None
    evidence: str = ""
    comment: str = ""


class ScoreIn(Schema):
    rubric_key: str
    subject: str = Field(max_length=200)
    ratings: dict[str, RatingIn] = Field(description="By criterion key.")
    feedback: str = Field(max_length=20_000)
    visibility: str | None = None


class RevisionOut(Schema):
    number: int
    filename: str
    content_type: str
    size: int
    note: str
    submitted_at: datetime.datetime
    download_url: str = Field(description="The file, for a signed-in browser session.")

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return reverse("portfolio_download", args=[obj.entry.engagement_id, obj.entry_id, obj.pk])


class PortfolioReviewOut(Schema):
    decision: str
    feedback: str
    reviewer: PersonRef
    revision: int
    score_id: int | None = Field(description="The review's scores, when you may read them.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_revision(obj: Any) -> int:
        return int(obj.revision.number)

    @staticmethod
    def resolve_score_id(obj: Any) -> int | None:
        return obj.score_id if getattr(obj, "score_visible", False) else None


class PortfolioEntryOut(Schema):
    id: int
    engagement_id: int
    title: str
    description: str
    author: PersonRef
    visibility: str
    status: str
    created_at: datetime.datetime
    accepted_at: datetime.datetime | None
    revisions: list[RevisionOut]
    reviews: list[PortfolioReviewOut]


class PortfolioReviewIn(Schema):
    accept: bool
    feedback: str = Field(max_length=20_000)
    ratings: dict[str, RatingIn] | None = Field(
        None, description="Scores on the playbook's portfolio rubric, by criterion key."
    )
    rubric_key: str | None = None


# --- Meetings and feedback ------------------------------------------------------------------------


class AgendaStageOut(Schema):
    title: str
    minutes: int
    prompt: str = ""


class StageNoteOut(Schema):
    title: str
    note: str


class MinutesOut(Schema):
    summary: str
    stages: list[StageNoteOut]


class MeetingParticipantOut(Schema):
    person: PersonRef
    attended: bool | None = Field(description="Null until attendance is recorded.")

    @staticmethod
    def resolve_person(obj: Any) -> dict[str, Any]:
        return {"id": obj.user.pk, "name": _name(obj.user)}


class MeetingOut(Schema):
    id: int
    engagement_id: int
    meeting_type: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str = Field(description="The IANA zone the meeting was planned in.")
    length_minutes: int
    mode: str
    location: str
    link: str = Field(description="The video call's address, if any.")
    status: str
    held_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    reason: str = Field(description="Why it was last moved, or cancelled.")
    uid: str = Field(description="The calendar entry's UID.")
    sequence: int = Field(description="Raised on every move or cancellation.")
    participants: list[MeetingParticipantOut]
    visibility: str
    revision: int = Field(description="How many times the minutes were saved; send it as base.")
    agenda: list[AgendaStageOut]
    minutes: MinutesOut | None = Field(description="The minutes; null unless you may read them.")

    @staticmethod
    def resolve_length_minutes(obj: Any) -> int:
        return int(obj.minutes)

    @staticmethod
    def resolve_uid(obj: Any) -> str:
        return str(obj.uid)

    @staticmethod
    def resolve_participants(obj: Any) -> list[Any]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_minutes(obj: Any) -> dict[str, Any] | None:
        if not getattr(obj, "minutes_visible", False):
            return None
        notes = list(obj.stage_notes)
        stages = [
            {"title": stage.get("title", ""), "note": notes[i] if i < len(notes) else ""}
            for i, stage in enumerate(obj.agenda)
        ]
        return {"summary": obj.summary, "stages": stages}


class MeetingIn(Schema):
    meeting_type: str
    starts_at: datetime.datetime | None = Field(
        description="Without an offset: the clock of `time_zone`; with one: that instant."
    )
    time_zone: str | None = Field(None, description="IANA zone; empty: your own zone.")
    ends_at: datetime.datetime | None = Field(None, description="Or give length_minutes.")
    mode: str
    location: str = Field("", max_length=200)
    link: str = Field("", max_length=500, description="Video link (https:// or http://).")
    length_minutes: int | None = Field(None, description="Empty: the meeting type's length.")
    participants: list[int] | None = Field(
        None, description="Person ids; empty: everyone in the meeting type's attendee roles."
    )
    submission: uuid.UUID | None = Field(
        None, description="A key of your choosing: the same key again returns the same meeting."
    )


class RescheduleIn(Schema):
    starts_at: datetime.datetime | None
    time_zone: str | None = Field(None, description="Empty: the meeting's zone.")
    ends_at: datetime.datetime | None = None
    length_minutes: int | None = Field(None, description="Empty: the meeting's length.")
    mode: str | None = None
    location: str | None = Field(None, max_length=200)
    link: str | None = Field(None, max_length=500)
    reason: str = Field("", max_length=500)


class CancelIn(Schema):
    reason: str = Field("", max_length=500, description="Required: why it is cancelled.")


class AttendanceIn(Schema):
    attended: dict[int, bool] = Field(description="Person id: whether they attended.")


class FollowUpOut(Schema):
    id: int
    engagement_id: int
    meeting_id: int | None
    text: str
    owner: PersonRef | None
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    visibility: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.owner.pk, "name": _name(obj.owner)} if obj.owner else None


class FollowUpIn(Schema):
    text: str = Field(max_length=500)
    owner: int | None = Field(None, description="A coach or coachee of the engagement.")
    due_on: datetime.date | None = None


class FollowUpDoneIn(Schema):
    done: bool = Field(True, description="False reopens it.")


class MinutesIn(Schema):
    stage_notes: list[str] = Field(description="One text per agenda stage, in order.")
    summary: str = Field("", max_length=20_000)
    visibility: str | None = None
    held: bool = True
    base: int | None = Field(
        None, description="The minutes' revision you read; a newer one answers 409."
    )


class CountOut(Schema):
    value: str
    count: int


class FieldResultOut(Schema):
    key: str
    label: str
    type: str
    counts: list[CountOut]
    mean: float | None
    comments: list[str]
    comments_hidden: bool


def _results(obj: Any) -> Any:
    """The published results of a collection, from feedback.services.results: the one
    aggregation that pages, API and exports share. Computed once per collection."""
    from coachloop.feedback.services import results

    cached = obj.__dict__.get("_api_results")
    if cached is None:
        cached = obj.__dict__["_api_results"] = results(obj)
    return cached


class FeedbackCollectionOut(Schema):
    id: int
    engagement_id: int
    form_key: str
    title: str
    visibility: str
    is_open: bool
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    min_responses: int
    published: bool
    reason: str = Field(description="Why there are no results yet, when there are none.")
    respondents: int | None = Field(description="Null unless the results are published.")
    fields: list[FieldResultOut] = Field(description="Empty unless the results are published.")
    answer_url: str | None = Field(
        description="The anonymous link to share, for the coaches while the form is open."
    )

    @staticmethod
    def resolve_answer_url(obj: Any) -> str | None:
        if not getattr(obj, "link_for_viewer", False) or not obj.is_open:
            return None
        return settings.COACHLOOP_SITE_URL.rstrip("/") + reverse(
            "feedback_answer", args=[obj.token]
        )

    @staticmethod
    def resolve_published(obj: Any) -> bool:
        return bool(_results(obj).published)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(_results(obj).reason)

    @staticmethod
    def resolve_respondents(obj: Any) -> int | None:
        found = _results(obj)
        return found.respondents if found.published else None

    @staticmethod
    def resolve_fields(obj: Any) -> list[dict[str, Any]]:
        found = _results(obj)
        if not found.published:
            return []
        return [
            {
                "key": f.key,
                "label": f.label,
                "type": f.type,
                "counts": [{"value": value, "count": n} for value, n in f.counts],
                "mean": f.mean,
                "comments": f.comments,
                "comments_hidden": f.comments_hidden,
            }
            for f in found.fields
        ]


class FeedbackOpenIn(Schema):
    form_key: str
    title: str = Field("", max_length=200)
    visibility: str | None = None


# --- The signed-in person's day -------------------------------------------------------------------


class DueStepOut(OverdueStepOut):
    overdue: bool

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue())


class TodayMeetingOut(Schema):
    id: int
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    title: str
    starts_at: datetime.datetime
    mode: str
    location: str


class PlanRefOut(Schema):
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    status: str
    number: int
    submitted_at: datetime.datetime | None


class EntryRefOut(Schema):
    id: int
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    title: str
    author: PersonRef
    created_at: datetime.datetime


class TodayOut(Schema):
    due: list[DueStepOut] = Field(description="Your open steps due within a week, or overdue.")
    overdue_count: int
    meetings: list[TodayMeetingOut]
    approvals_to_give: list[PlanRefOut]
    approvals_awaited: list[PlanRefOut]
    reviews: list[EntryRefOut] = Field(description="Portfolio entries awaiting your review.")


class PlanStateOut(Schema):
    status: str
    number: int
    approved_number: int | None


class SponsoredOut(Schema):
    id: int
    title: str
    status: str
    programme_id: int
    current_phase: str
    phase_title: str
    coachees: list[str]
    steps_done: int
    steps_total: int
    steps_overdue: int
    plan: PlanStateOut | None


class SponsoringOut(Schema):
    engagements: list[SponsoredOut]
    awaiting: list[int] = Field(description="Engagements whose plan awaits your approval.")
