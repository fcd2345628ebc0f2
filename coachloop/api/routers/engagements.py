"""Engagements: the list, one engagement with its phases and steps, progress through the playbook,
the agreement and the notes."""

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.api import engagement_schemas as s
from coachloop.api import schemas
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.engagements import selectors, services
from coachloop.engagements.models import Engagement, Note, ParticipantRole, StepProgress
from coachloop.lib.errors import DomainError
from coachloop.playbooks import schema

router = Router(tags=["engagements"])


# --- Reading ------------------------------------------------------------------------------------


def listed(user: User, *, role: str = "", query: str = "") -> QuerySet[Engagement]:
    """Engagements the user may see, with their progress, as the list shows them."""
    if role and role not in ParticipantRole.values:
        raise DomainError(
            _("Unknown role; use one of %s.") % ", ".join(ParticipantRole.values), field="role"
        )
    rows = selectors.engagement_list(user=user, role=role, query=query[:100])
    return (
        selectors.with_progress(rows)
        .annotate(playbook_version_number=F("playbook_version__number"))
        .order_by("pk")
    )


@router.get(
    "/engagements",
    response=list[schemas.EngagementOut],
    summary="Engagements you take part in or administer, with their progress",
)
@paginate(PageNumberPagination)
def engagement_list(request: HttpRequest, role: str = "", q: str = "") -> Any:
    return listed(user_of(request), role=role, query=q)


def _checklist(step_spec: schema.StepSpec, row: StepProgress) -> list[dict[str, Any]]:
    done = row.checklist_done
    return [
        {"index": i, "text": text, "done": bool(done[i]) if i < len(done) else False}
        for i, text in enumerate(step_spec.checklist)
    ]


def step_data(
    row: StepProgress, step_spec: schema.StepSpec, overdue: bool, note: str
) -> dict[str, Any]:
    """A step as the API shows it; `note` is the completion note or skip reason, which only the
    engagement's team reads (the caller passes "" for anyone else)."""
    return {
        "key": row.step_key,
        "phase_key": row.phase_key,
        "title": row.title,
        "description": step_spec.description,
        "kind": row.kind,
        "owner_role": row.owner_role,
        "also": list(step_spec.also),
        "required": row.required,
        "due_on": row.due_on,
        "status": row.status,
        "overdue": overdue,
        "completed_by": person(row.completed_by),
        "completed_at": row.completed_at,
        "note": note,
        "checklist": _checklist(step_spec, row),
        "form": step_spec.form,
        "rubric": step_spec.rubric,
        "meeting": step_spec.meeting,
    }


def step_out(user: User, engagement: Engagement, row: StepProgress) -> dict[str, Any]:
    spec = engagement.spec
    assert spec is not None
    step_spec = next(st for _p, st in spec.steps() if st.key == row.step_key)
    note = row.note if policy.in_team(user, engagement) else ""
    return step_data(row, step_spec, row.is_overdue(timezone.localdate()), note)


def signers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        participant, signature = row["participant"], row["signature"]
        out.append(
            {
                "user": person(participant.user),
                "role": participant.role,
                "role_label": row["role_label"],
                "state": row["state"],
                "signed_name": signature.signed_name if signature else None,
                "signed_at": signature.signed_at if signature else None,
            }
        )
    return out


def detail(user: User, engagement: Engagement) -> dict[str, Any]:
    """Everything the engagement page shows, from the same selector."""
    page = selectors.engagement_page(user=user, engagement=engagement)
    spec = page.spec
    version = engagement.playbook_version
    current_phase_title = None
    if spec is not None:
        current_phase_title = next(
            (p.title for p in spec.phases if p.key == engagement.current_phase), None
        )
    return {
        "id": engagement.pk,
        "title": engagement.title,
        "status": engagement.status,
        "starts_on": engagement.starts_on,
        "ends_on": engagement.ends_on,
        "completed_at": engagement.completed_at,
        "programme_id": engagement.programme_id,
        "organisation_id": engagement.organisation_id,
        "playbook_id": version.playbook_id if version else None,
        "playbook_name": spec.name if spec else None,
        "playbook_version": version.number if version else None,
        "current_phase": engagement.current_phase,
        "current_phase_title": current_phase_title,
        "your_roles": sorted(page.roles),
        "can_coach": page.can_coach,
        "can_manage": page.can_manage,
        "can_write": page.can_write,
        "participants": [{"user": person(p.user), "role": p.role} for p in page.participants],
        "phases": [
            {
                "key": phase.spec.key,
                "title": phase.spec.title,
                "purpose": phase.spec.purpose,
                "state": phase.state,
                "done": phase.done,
                "total": phase.total,
                "steps": [step_data(v.row, v.spec, v.overdue, v.note) for v in phase.steps],
            }
            for phase in page.phases
        ],
        "current_step": page.current_step.row.step_key if page.current_step else None,
        "blocking": [{"key": row.step_key, "title": row.title} for row in page.blocking],
        "next_phase": (
            {"key": page.next_phase.key, "title": page.next_phase.title}
            if page.next_phase
            else None
        ),
        "is_last_phase": page.is_last_phase,
        "agreement": signers(page.agreement),
    }


@router.get(
    "/engagements/{pk}",
    response=s.EngagementDetailOut,
    summary="One engagement: people, phases with their steps, what blocks the next phase",
)
def engagement_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return detail(user_of(request), engagement_or_404(request, pk))


# --- Progress -----------------------------------------------------------------------------------


def _step(request: HttpRequest, pk: int, step_key: str) -> StepProgress:
    engagement = engagement_or_404(request, pk)
    step = (
        policy.steps_visible_to(user_of(request))
        .filter(engagement=engagement, step_key=step_key)
        .select_related("engagement")
        .first()
    )
    if step is None:
        raise Http404
    return step


@router.post(
    "/engagements/{pk}/steps/{step_key}/complete",
    response=s.StepOut,
    summary="Mark a task step done (its checklist ticked first)",
)
def step_complete(
    request: HttpRequest, pk: int, step_key: str, payload: s.StepCompleteIn | None = None
) -> dict[str, Any]:
    step = _step(request, pk, step_key)
    note = payload.note if payload else ""
    done = services.step_complete(actor=user_of(request), step=step, note=note)
    return step_out(user_of(request), step.engagement, done)


@router.post(
    "/engagements/{pk}/steps/{step_key}/reopen",
    response=s.StepOut,
    summary="Undo a completion by hand, or a skip",
)
def step_reopen(request: HttpRequest, pk: int, step_key: str) -> dict[str, Any]:
    step = _step(request, pk, step_key)
    return step_out(
        user_of(request), step.engagement, services.step_reopen(actor=user_of(request), step=step)
    )


@router.post(
    "/engagements/{pk}/steps/{step_key}/skip",
    response=s.StepOut,
    summary="Skip a step that is not required, saying why",
)
def step_skip(
    request: HttpRequest, pk: int, step_key: str, payload: s.StepSkipIn
) -> dict[str, Any]:
    step = _step(request, pk, step_key)
    skipped = services.step_skip(actor=user_of(request), step=step, reason=payload.reason)
    return step_out(user_of(request), step.engagement, skipped)


@router.patch(
    "/engagements/{pk}/steps/{step_key}",
    response=s.StepOut,
    summary="Tick checklist items or change the due date (all or nothing)",
)
def step_update(
    request: HttpRequest, pk: int, step_key: str, payload: s.StepPatch
) -> dict[str, Any]:
    user = user_of(request)
    step = _step(request, pk, step_key)
    engagement = step.engagement
    if payload.due_on is None and payload.checklist is None:
        raise DomainError(_("Send a new due_on, or the checklist's ticks."), status=422)
    with transaction.atomic():
        if payload.due_on is not None:
            step = services.step_set_due(actor=user, step=step, due_on=payload.due_on)
        if payload.checklist is not None:
            items = len(step.checklist_done)
            if len(payload.checklist) != items:
                raise DomainError(
                    _("Send one tick for each of the step's %d checklist items.") % items,
                    field="checklist",
                    status=422,
                )
            for index, done in enumerate(payload.checklist):
                step = services.step_tick(actor=user, step=step, index=index, done=done)
    return step_out(user_of(request), engagement, step)


@router.post(
    "/engagements/{pk}/advance",
    response=s.EngagementDetailOut,
    summary="Move to the next phase once the required steps of this one are done",
)
def phase_advance(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    engagement = services.phase_advance(actor=user, engagement=engagement_or_404(request, pk))
    return detail(user, engagement)


@router.post(
    "/engagements/{pk}/complete",
    response=s.EngagementDetailOut,
    summary="Complete the engagement from its last phase; everyone in it is told",
)
def engagement_complete(
    request: HttpRequest, pk: int, payload: s.EngagementCompleteIn | None = None
) -> dict[str, Any]:
    user = user_of(request)
    engagement = services.engagement_complete(
        actor=user,
        engagement=engagement_or_404(request, pk),
        message=payload.message if payload else "",
    )
    return detail(user, engagement)


# --- Agreement ----------------------------------------------------------------------------------


def agreement(engagement: Engagement) -> dict[str, Any]:
    spec = engagement.spec
    if spec is None or spec.agreement is None:
        raise Http404
    rows = signers(services.agreement_status(engagement))
    return {
        "title": spec.agreement.title,
        "text": engagement.agreement_text,
        "all_signed": bool(rows) and all(r["state"] == "signed" for r in rows),
        "signers": rows,
    }


@router.get(
    "/engagements/{pk}/agreement",
    response=s.AgreementOut,
    summary="The agreement's text and who has signed it",
)
def agreement_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return agreement(engagement_or_404(request, pk))


@router.post(
    "/engagements/{pk}/agreement/signatures",
    response={201: s.AgreementOut},
    summary="Sign the agreement with your name, in each role you sign for",
)
def agreement_sign(request: HttpRequest, pk: int, payload: s.SignatureIn) -> Status[dict[str, Any]]:
    engagement = engagement_or_404(request, pk)
    services.agreement_sign(actor=user_of(request), engagement=engagement, name=payload.name)
    return Status(201, agreement(engagement))


# --- Notes --------------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/notes",
    response=list[s.NoteOut],
    summary="Notes you may read (titles; open one for its text)",
)
@paginate(PageNumberPagination)
def note_list(request: HttpRequest, pk: int) -> Any:
    engagement = engagement_or_404(request, pk)
    return selectors.note_list(user=user_of(request), engagement=engagement)


@router.get(
    "/engagements/{pk}/notes/{note_id}",
    response=s.NoteDetailOut,
    summary="One note with its text (the read is recorded in the audit trail)",
)
def note_detail(request: HttpRequest, pk: int, note_id: int) -> Note:
    engagement = engagement_or_404(request, pk)
    return selectors.note_read(user=user_of(request), engagement=engagement, pk=note_id)


@router.post(
    "/engagements/{pk}/notes",
    response={201: s.NoteDetailOut},
    summary="Write a note (coaches and coachees)",
)
def note_create(request: HttpRequest, pk: int, payload: s.NoteIn) -> Status[Note]:
    engagement = engagement_or_404(request, pk)
    note = services.note_create(
        actor=user_of(request),
        engagement=engagement,
        title=payload.title,
        body=payload.body,
        visibility=payload.visibility or services.default_visibility(engagement, "note"),
    )
    return Status(201, note)
