"""Writes for programmes, engagements, their progress through the playbook and their content.

Every function checks the policy first, validates everything before writing, and writes in one
transaction; a refusal is a DomainError with a message the user can act on."""

from __future__ import annotations

import csv
import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    TEAM_ROLES,
    AgreementSignature,
    Engagement,
    EngagementStatus,
    FormResponse,
    Note,
    Participant,
    ParticipantRole,
    Programme,
    Resource,
    StepProgress,
    StepStatus,
)
from coachloop.lib.errors import DomainError
from coachloop.lib.uploads import check_upload
from coachloop.notifications.services import notify
from coachloop.organisations.models import Organisation
from coachloop.playbooks import schema
from coachloop.playbooks.answers import clean_answers
from coachloop.playbooks.models import Playbook

# --- Programmes -----------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    playbook: Playbook,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    description: str = "",
    coaches: Iterable[User] = (),
) -> Programme:
    policy.require(actor, Action.MANAGE, organisation)
    policy.get_visible_or_404(actor, Playbook, playbook.pk)
    if not name.strip():
        raise DomainError(_("Give the programme a name."), field="name")
    if playbook.current is None or playbook.is_archived:
        raise DomainError(_("Choose a playbook that is in use."), field="playbook")
    _check_dates(starts_on, ends_on)
    coaches = list(coaches)
    visible = set(
        policy.people_visible_to(actor)
        .filter(pk__in=[c.pk for c in coaches])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in coaches):
        raise DomainError(_("Choose coaches from your organisations."), field="coaches")
    programme = Programme.objects.create(
        organisation=organisation,
        name=name.strip(),
        playbook=playbook,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description.strip(),
    )
    programme.administrators.add(actor)
    programme.coaches.add(*coaches)
    audit.record(
        actor=actor, action="programme.create", target=programme, organisation=organisation
    )
    return programme


def _check_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(
            _("The end (%(end)s) is before the start (%(start)s).")
            % {"end": date_format(ends_on), "start": date_format(starts_on)},
            field="ends_on",
        )


# --- Engagements ----------------------------------------------------------------------------------


@dataclass
class People:
    """Who takes part in a new engagement, by role."""

    coachees: list[User]
    coaches: list[User]
    sponsors: list[User] = field(default_factory=list)
    district_reps: list[User] = field(default_factory=list)

    def by_role(self) -> list[tuple[str, list[User]]]:
        return [
            (ParticipantRole.COACHEE, self.coachees),
            (ParticipantRole.COACH, self.coaches),
            (ParticipantRole.SPONSOR, self.sponsors),
            (ParticipantRole.DISTRICT_REP, self.district_reps),
        ]


def _home_organisation(programme: Programme, coachee: User) -> Organisation:
    """Where the engagement lives: the coachee's deepest organisation inside the programme's."""
    orgs = Organisation.objects.filter(
        memberships__user=coachee,
        memberships__is_active=True,
        path__startswith=programme.organisation.path,
    ).order_by("-depth", "pk")
    return orgs.first() or programme.organisation


def _validate_engagement(
    actor: User,
    programme: Programme,
    people: People,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> tuple[schema.Playbook, Organisation]:
    if programme.playbook is None or programme.playbook.current is None:
        raise DomainError(_("Give the programme a playbook before adding engagements."))
    spec = programme.playbook.current.spec
    if starts_on is None:
        raise DomainError(_("Enter the date the coaching starts."), field="starts_on")
    _check_dates(starts_on, ends_on)
    visible = set(
        policy.people_visible_to(actor)
        .filter(pk__in=[u.pk for _r, us in people.by_role() for u in us], is_active=True)
        .values_list("pk", flat=True)
    )
    errors: dict[str, str] = {}
    for role, users in people.by_role():
        spec_role = spec.roles.get(role)  # type: ignore[call-overload]
        label = spec.role_label(role)
        name = f"{role}s" if role != ParticipantRole.COACH else "coaches"
        if spec_role is None:
            if users:
                errors[name] = _("This playbook has no %s.") % label.lower()
            continue
        if spec_role.required and not users:
            errors[name] = _("Choose the %s.") % label.lower()
        elif len(users) > 1 and not spec_role.many:
            errors[name] = _("This playbook has one %s per engagement.") % label.lower()
        for user in users:
            if user.pk not in visible:
                errors[name] = _("%s is not someone in your organisations.") % user
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors, field=next(iter(errors)))
    home = _home_organisation(programme, people.coachees[0])
    for _role, users in people.by_role():
        for user in users:
            if not policy.scope_includes(user, home):
                raise DomainError(
                    _(
                        "%(person)s has no role at %(org)s or above it, so they could not "
                        "see this engagement."
                    )
                    % {"person": user, "org": home.name}
                )
    return spec, home


def _create_engagement(
    programme: Programme,
    spec: schema.Playbook,
    home: Organisation,
    people: People,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    title: str,
) -> Engagement:
    assert programme.playbook is not None
    assert programme.playbook.current is not None
    engagement = Engagement.objects.create(
        organisation=home,
        programme=programme,
        title=title.strip() or _("Coaching %s") % people.coachees[0],
        starts_on=starts_on,
        ends_on=ends_on,
        playbook_version=programme.playbook.current,
        current_phase=spec.phases[0].key,
        agreement_text=spec.agreement.text if spec.agreement else "",
    )
    Participant.objects.bulk_create(
        Participant(engagement=engagement, user=user, role=role)
        for role, users in people.by_role()
        for user in users
    )
    StepProgress.objects.bulk_create(steps_for(engagement, spec))
    return engagement


def steps_for(engagement: Engagement, spec: schema.Playbook) -> list[StepProgress]:
    return [
        StepProgress(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            position=position,
            phase_key=phase.key,
            step_key=step.key,
            title=step.title,
            owner_role=step.owner,
            kind=step.kind,
            required=step.required,
            due_on=engagement.starts_on + datetime.timedelta(days=step.due_days),
            checklist_done=[False] * len(step.checklist),
        )
        for position, (phase, step) in enumerate(spec.steps())
    ]


def _announce(actor: User, engagement: Engagement) -> None:
    spec = engagement.spec
    name = spec.name if spec else _("coaching")
    notify(
        [p.user for p in engagement.participants.select_related("user")],
        _("You are part of a new %(playbook)s engagement") % {"playbook": name},
        _(
            "%(actor)s has set up “%(title)s”, starting %(start)s. Open it to read the "
            "coaching process and confirm the agreement."
        )
        % {"actor": actor, "title": engagement.title, "start": date_format(engagement.starts_on)},
        engagement.get_absolute_url(),
    )


@transaction.atomic
def engagement_create(
    *,
    actor: User,
    programme: Programme,
    people: People,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None = None,
    title: str = "",
) -> Engagement:
    policy.require(actor, Action.CREATE_ENGAGEMENT, programme)
    spec, home = _validate_engagement(actor, programme, people, starts_on, ends_on)
    assert starts_on is not None
    engagement = _create_engagement(programme, spec, home, people, starts_on, ends_on, title)
    audit.record(actor=actor, action="engagement.create", target=engagement)
    _announce(actor, engagement)
    return engagement


@dataclass
class BulkLine:
    number: int
    people: People | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    problems: list[str] = field(default_factory=list)


BULK_COLUMNS = ("coachee", "coach", "sponsor", "district_rep", "starts_on", "ends_on")


def _is_header(row: list[str]) -> bool:
    """A first line naming the columns ("performer email, coach email, …") holds no email."""
    first = row[0].strip().lower() if row else ""
    words = ("coachee", "performer", "email")
    return any(w in first for w in words) and not any("@" in c for c in row)


def _parse_bulk(actor: User, text: str) -> list[BulkLine]:
    # Every line keeps its number as the user sees it in the text box, blank lines included.
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as error:
        raise DomainError(
            _("The list could not be read (%s); check the quotes.") % error, field="lines"
        ) from None
    first = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if first is not None and _is_header(rows[first]):
        rows[first] = []
    emails = {c.strip().lower() for r in rows for c in r[:4] if "@" in c}
    people = {
        u.email.lower(): u
        for u in policy.people_visible_to(actor).filter(email__in=emails, is_active=True)
    }
    lines = []
    for number, row in enumerate(rows, start=1):
        if not any(c.strip() for c in row):
            continue
        line = BulkLine(number)
        cells = [c.strip() for c in row] + [""] * (len(BULK_COLUMNS) - len(row))
        if len(row) > len(BULK_COLUMNS):
            line.problems.append(_("has %d columns; expected at most 6") % len(row))
        found: dict[str, list[User]] = {}
        for column, cell in zip(BULK_COLUMNS[:4], cells[:4], strict=True):
            found[column] = []
            if cell:
                user = people.get(cell.lower())
                if user is None:
                    line.problems.append(_("nobody in your organisations has the email %s") % cell)
                else:
                    found[column] = [user]
        for column in ("starts_on", "ends_on"):
            cell = cells[BULK_COLUMNS.index(column)]
            if cell:
                try:
                    setattr(line, column, datetime.date.fromisoformat(cell))
                except ValueError:
                    line.problems.append(_("“%s” is not a date (use YYYY-MM-DD)") % cell)
        line.people = People(
            coachees=found["coachee"],
            coaches=found["coach"],
            sponsors=found["sponsor"],
            district_reps=found["district_rep"],
        )
        lines.append(line)
    return lines


@transaction.atomic
def engagements_bulk_create(*, actor: User, programme: Programme, text: str) -> list[Engagement]:
    """One engagement per line: coachee, coach, sponsor, district representative (emails), start
    and optional end date. Every line is checked first; any problem and nothing is created."""
    policy.require(actor, Action.CREATE_ENGAGEMENT, programme)
    lines = _parse_bulk(actor, text)
    if not lines:
        raise DomainError(_("Paste at least one line."), field="lines")
    checked: list[tuple[BulkLine, schema.Playbook, Organisation]] = []
    for line in lines:
        if not line.problems:
            assert line.people is not None
            try:
                spec, home = _validate_engagement(
                    actor, programme, line.people, line.starts_on, line.ends_on
                )
            except DomainError as error:
                line.problems.extend(error.errors.values() or [error.message])
            else:
                checked.append((line, spec, home))
    problems = [
        f"{_('Line')} {line.number}: {'; '.join(line.problems)}" for line in lines if line.problems
    ]
    if problems:
        raise DomainError(
            _("Nothing was created; correct these lines and try again."),
            field="lines",
            errors={"lines": "\n".join(problems)},
        )
    created = []
    for line, spec, home in checked:
        assert line.people is not None
        assert line.starts_on is not None
        engagement = _create_engagement(
            programme, spec, home, line.people, line.starts_on, line.ends_on, ""
        )
        audit.record(
            actor=actor, action="engagement.create", target=engagement, data={"bulk": True}
        )
        _announce(actor, engagement)
        created.append(engagement)
    return created


# --- Progress -------------------------------------------------------------------------------------


def _step_spec(engagement: Engagement, step: StepProgress) -> schema.StepSpec:
    spec = engagement.spec
    assert spec is not None
    return next(s for _p, s in spec.steps() if s.key == step.step_key)


def _require_step_worker(actor: User, engagement: Engagement, step: StepProgress) -> None:
    """The step's owner, the roles named with it, and the coaches work on a step."""
    policy.require(actor, Action.WORK, engagement)
    roles = policy.participant_roles(actor, engagement)
    step_spec = _step_spec(engagement, step)
    if not roles & {ParticipantRole.COACH, step.owner_role, *step_spec.also}:
        raise DomainError(
            _("This step is for the %s.") % engagement.spec.role_label(step.owner_role).lower(),  # type: ignore[union-attr]
            status=403,
        )
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(
            _("This engagement is complete; its steps can no longer change."), status=409
        )


def require_active(engagement: Engagement) -> None:
    """Nothing of a completed engagement changes any more: it is the record of the coaching."""
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete; it can no longer change."), status=409)


def _require_coach_or_admin(actor: User, engagement: Engagement, message: str) -> None:
    if not (
        policy.allowed(actor, Action.COACH, engagement)
        or policy.allowed(actor, Action.MANAGE, engagement)
    ):
        raise DomainError(message, status=403)


def _locked_step(step: StepProgress) -> StepProgress:
    return StepProgress.objects.select_for_update().get(pk=step.pk)


@transaction.atomic
def step_tick(*, actor: User, step: StepProgress, index: int, done: bool) -> StepProgress:
    engagement = step.engagement
    _require_step_worker(actor, engagement, step)
    step = _locked_step(step)
    if not 0 <= index < len(step.checklist_done):
        raise DomainError(_("This step has no such checklist item."), status=404)
    items = list(step.checklist_done)
    items[index] = done
    step.checklist_done = items
    step.save(update_fields=["checklist_done"])
    return step


@transaction.atomic
def step_complete(*, actor: User, step: StepProgress, note: str = "") -> StepProgress:
    """Mark a task done by hand. Steps with a record behind them (a signed agreement, an
    approved plan, a score) complete when that record is made, not by hand."""
    engagement = step.engagement
    _require_step_worker(actor, engagement, step)
    step = _locked_step(step)
    if step.status != StepStatus.OPEN:
        raise DomainError(
            _("This step is already %s.") % step.get_status_display().lower(), status=409
        )
    if step.kind != "task":
        raise DomainError(str(AUTOMATIC[step.kind]), status=409)
    if not all(step.checklist_done):
        raise DomainError(_("Tick every item of the checklist first."), field="checklist")
    _finish(step, actor, note)
    audit.record(actor=actor, action="step.complete", target=step, data={"step": step.step_key})
    return step


AUTOMATIC = {
    "agreement": gettext_lazy("This step is done when everyone has signed the agreement."),
    "meeting": gettext_lazy("This step is done when the meeting has been held and minuted."),
    "form": gettext_lazy("This step is done when its form has been filled in."),
    "plan": gettext_lazy("This step is done when the plan has been sent for approval."),
    "plan_approval": gettext_lazy("This step is done when the plan is approved."),
    "feedback": gettext_lazy("This step is done when the anonymous feedback is closed."),
    "score": gettext_lazy("This step is done when the performance has been scored."),
    "portfolio": gettext_lazy("This step is done when a portfolio entry is accepted."),
}


def _finish(step: StepProgress, actor: User | None, note: str = "") -> None:
    step.status = StepStatus.DONE
    step.completed_by = actor
    step.completed_at = timezone.now()
    step.note = note.strip()[:500]
    step.save(update_fields=["status", "completed_by", "completed_at", "note"])


@transaction.atomic
def step_reopen(*, actor: User, step: StepProgress) -> StepProgress:
    """Undo a completion made by hand (or a skip)."""
    engagement = step.engagement
    _require_step_worker(actor, engagement, step)
    step = _locked_step(step)
    if step.status == StepStatus.OPEN:
        return step
    if step.kind != "task" and step.status == StepStatus.DONE:
        raise DomainError(
            _("This step was completed by its record and can't be reopened."), status=409
        )
    step.status = StepStatus.OPEN
    step.completed_by = None
    step.completed_at = None
    step.save(update_fields=["status", "completed_by", "completed_at"])
    audit.record(actor=actor, action="step.reopen", target=step, data={"step": step.step_key})
    return step


@transaction.atomic
def step_skip(*, actor: User, step: StepProgress, reason: str) -> StepProgress:
    engagement = step.engagement
    _require_step_worker(actor, engagement, step)
    step = _locked_step(step)
    if step.required:
        raise DomainError(
            _("This step is required by the playbook and can't be skipped."), status=409
        )
    if not reason.strip():
        raise DomainError(_("Say why the step is not needed."), field="reason")
    step.status = StepStatus.SKIPPED
    _finish_fields = {
        "completed_by": actor,
        "completed_at": timezone.now(),
        "note": reason.strip()[:500],
    }
    for key, value in _finish_fields.items():
        setattr(step, key, value)
    step.save(update_fields=["status", *_finish_fields])
    return step


@transaction.atomic
def step_set_due(*, actor: User, step: StepProgress, due_on: datetime.date | None) -> StepProgress:
    engagement = step.engagement
    _require_coach_or_admin(actor, engagement, _("The coach changes due dates."))
    require_active(engagement)
    if due_on is None:
        raise DomainError(_("Enter a due date."), field="due_on")
    if due_on < engagement.starts_on:
        raise DomainError(
            _("A step can't be due before the engagement starts (%s).")
            % date_format(engagement.starts_on),
            field="due_on",
        )
    step = _locked_step(step)
    before = step.due_on
    step.due_on = due_on
    step.save(update_fields=["due_on"])
    audit.record(
        actor=actor,
        action="step.due",
        target=step,
        data={"step": step.step_key, "from": before.isoformat(), "to": due_on.isoformat()},
    )
    return step


def record_event(
    engagement: Engagement,
    kind: str,
    *,
    actor: User | None,
    ref: str | None = None,
    first_only: bool = False,
) -> list[StepProgress]:
    """Something happened that completes steps (a plan approved, a meeting held): every open
    step of that kind, for that form/rubric/meeting type, is done. With `first_only`, only the
    first open one in playbook order (one practice-profile rating completes "rate your
    practice", not also "rate it again" later in the playbook)."""
    spec = engagement.spec
    if spec is None:
        return []
    keys = []
    for _phase, step in spec.steps():
        if step.kind != kind:
            continue
        step_ref = step.form or step.rubric or step.meeting or step.point or step.instrument
        if ref is None or step_ref == ref:
            keys.append(step.key)
    done = list(
        StepProgress.objects.select_for_update()
        .filter(engagement=engagement, step_key__in=keys, status=StepStatus.OPEN)
        .order_by("position")
    )
    if first_only:
        done = done[:1]
    for row in done:
        _finish(row, actor)
    return done


def phase_state(engagement: Engagement) -> dict[str, Any]:
    """Where the engagement is: the current phase, what blocks moving on, the next phase."""
    spec = engagement.spec
    if spec is None:
        return {"blocking": [], "next": None, "last": True}
    keys = [p.key for p in spec.phases]
    index = keys.index(engagement.current_phase) if engagement.current_phase in keys else 0
    blocking = list(
        StepProgress.objects.filter(
            engagement=engagement,
            phase_key=keys[index],
            status=StepStatus.OPEN,
            required=True,
        ).order_by("position")
    )
    nxt = spec.phases[index + 1] if index + 1 < len(keys) else None
    return {"blocking": blocking, "next": nxt, "last": nxt is None, "index": index}


@transaction.atomic
def phase_advance(*, actor: User, engagement: Engagement) -> Engagement:
    """Move to the next phase once every required step of this one is done."""
    _require_coach_or_admin(actor, engagement, _("The coach moves the engagement on."))
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    state = phase_state(engagement)
    if state["last"]:
        raise DomainError(_("This is the last phase; complete the engagement instead."), status=409)
    if state["blocking"]:
        raise DomainError(
            _("Finish these steps first: %s.") % "; ".join(s.title for s in state["blocking"]),
            status=409,
        )
    before = engagement.current_phase
    engagement.current_phase = state["next"].key
    engagement.save(update_fields=["current_phase"])
    audit.record(
        actor=actor,
        action="engagement.phase",
        target=engagement,
        data={"from": before, "to": engagement.current_phase},
    )
    return engagement


@transaction.atomic
def engagement_complete(*, actor: User, engagement: Engagement, message: str = "") -> Engagement:
    """Complete the engagement from its last phase, once every required step is done, and send a
    recognition message to everyone in it."""
    _require_coach_or_admin(actor, engagement, _("The coach completes the engagement."))
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is already complete."), status=409)
    state = phase_state(engagement)
    if not state["last"]:
        raise DomainError(_("Complete the engagement from its last phase."), status=409)
    open_required = engagement.steps.filter(status=StepStatus.OPEN, required=True).order_by(
        "position"
    )
    if open_required.exists():
        raise DomainError(
            _("Finish these steps first: %s.") % "; ".join(s.title for s in open_required[:5]),
            status=409,
        )
    engagement.status = EngagementStatus.COMPLETED
    engagement.completed_at = timezone.now()
    engagement.save(update_fields=["status", "completed_at"])
    audit.record(actor=actor, action="engagement.complete", target=engagement)
    coachee = ", ".join(
        str(p.user)
        for p in engagement.participants.select_related("user")
        if p.role == ParticipantRole.COACHEE
    )
    text = message.strip() or _(
        "Congratulations: %(coachee)s has completed “%(title)s”. "
        "Thank you to everyone who took part."
    ) % {"coachee": coachee, "title": engagement.title}
    notify(
        [p.user for p in engagement.participants.select_related("user")],
        _("Coaching complete: %s") % engagement.title,
        text,
        engagement.get_absolute_url(),
    )
    return engagement


# --- Agreement ------------------------------------------------------------------------------------


def text_digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


def agreement_status(engagement: Engagement) -> list[dict[str, Any]]:
    """Each signer's state for the current text: signed (when), must sign again, or not yet."""
    spec = engagement.spec
    if spec is None or spec.agreement is None:
        return []
    digest = text_digest(engagement.agreement_text)
    signatures: dict[tuple[int, str], AgreementSignature] = {}
    for sig in engagement.signatures.all():
        signatures[(sig.user_id, sig.role)] = sig  # ordered by time: the latest wins
    rows = []
    for p in engagement.participants.select_related("user"):
        if p.role not in spec.agreement.signers:
            continue
        found = signatures.get((p.user_id, p.role))
        state = (
            "unsigned" if found is None else ("signed" if found.text_digest == digest else "stale")
        )
        rows.append(
            {
                "participant": p,
                "role_label": spec.role_label(p.role),
                "signature": found,
                "state": state,
            }
        )
    return rows


@transaction.atomic
def agreement_sign(*, actor: User, engagement: Engagement, name: str) -> list[AgreementSignature]:
    """Sign the current agreement text with one's name, in each role one signs for."""
    policy.require(actor, Action.WORK, engagement)
    spec = engagement.spec
    if spec is None or spec.agreement is None:
        raise DomainError(_("This engagement has no agreement to sign."), status=404)
    roles = policy.participant_roles(actor, engagement) & set(spec.agreement.signers)
    if not roles:
        raise DomainError(
            _("Your role in this engagement does not sign the agreement."), status=403
        )
    typed = " ".join(name.split())
    expected = " ".join(actor.full_name.split()) or actor.email
    if typed.casefold() != expected.casefold():
        raise DomainError(
            _("Type your name as it appears on your account (%s) to sign.") % expected,
            field="name",
        )
    digest = text_digest(engagement.agreement_text)
    done = {
        s.role
        for s in AgreementSignature.objects.filter(
            engagement=engagement, user=actor, text_digest=digest
        )
    }
    signatures = [
        AgreementSignature.objects.create(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            user=actor,
            role=role,
            signed_name=typed,
            text=engagement.agreement_text,
            text_digest=digest,
        )
        for role in sorted(roles - done)
    ]
    if not signatures:
        raise DomainError(_("You have already signed this agreement."), status=409)
    audit.record(
        actor=actor,
        action="agreement.sign",
        target=engagement,
        data={"roles": sorted(roles - done)},
    )
    if all(row["state"] == "signed" for row in agreement_status(engagement)):
        record_event(engagement, "agreement", actor=actor)
    return signatures


@transaction.atomic
def agreement_update_text(*, actor: User, engagement: Engagement, text: str) -> Engagement:
    """Change the agreement's text; everyone who signed is asked to sign again."""
    _require_coach_or_admin(
        actor, engagement, _("The coach or the programme administrator changes the agreement.")
    )
    require_active(engagement)
    if not text.strip():
        raise DomainError(_("The agreement can't be empty."), field="text")
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if text_digest(text) == text_digest(engagement.agreement_text):
        return engagement
    engagement.agreement_text = text.strip()
    engagement.save(update_fields=["agreement_text"])
    StepProgress.objects.filter(engagement=engagement, kind="agreement").update(
        status=StepStatus.OPEN, completed_by=None, completed_at=None
    )
    audit.record(actor=actor, action="agreement.change", target=engagement)
    signers = {row["participant"].user for row in agreement_status(engagement)}
    notify(
        signers,
        _("Please sign the changed agreement"),
        _("The agreement of “%s” has changed. Read it and sign it again.") % engagement.title,
        engagement.get_absolute_url() + "agreement/",
    )
    return engagement


# --- Content: notes, forms, resources -------------------------------------------------------------


def default_visibility(
    engagement: Engagement, kind: str, form: schema.FormSpec | None = None
) -> str:
    if form is not None and form.visibility:
        return form.visibility
    spec = engagement.spec
    return spec.default_visibility(kind) if spec else schema.DEFAULT_VISIBILITY[kind]


def check_visibility(visibility: str | None, fallback: str) -> str:
    value = visibility or fallback
    if value not in Visibility.values:
        raise DomainError(_("Choose who can read it."), field="visibility")
    return value


@transaction.atomic
def note_create(
    *, actor: User, engagement: Engagement, title: str, body: str, visibility: str
) -> Note:
    policy.require(actor, Action.ADD_NOTE, engagement)
    if visibility not in Visibility.values:
        raise DomainError(_("Choose who can read the note."), field="visibility")
    if not body.strip():
        raise DomainError(_("Write the note before saving it."), field="body")
    note = Note.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=actor,
        title=title.strip() or _("Untitled note"),
        body=body,
        visibility=visibility,
    )
    audit.record(actor=actor, action="note.create", target=note, data={"visibility": visibility})
    return note


def form_for(engagement: Engagement, form_key: str) -> schema.FormSpec:
    spec = engagement.spec
    form = next((f for f in spec.forms if f.key == form_key), None) if spec else None
    if form is None or form.anonymous:
        raise DomainError(_("This engagement's playbook has no such form."), status=404)
    return form


@transaction.atomic
def form_submit(
    *,
    actor: User,
    engagement: Engagement,
    form_key: str,
    data: dict[str, Any],
    visibility: str | None = None,
    response: FormResponse | None = None,
) -> FormResponse:
    """Fill in a playbook form (or change one's own answer); completes the steps that use it."""
    policy.require(actor, Action.WORK, engagement)
    form = form_for(engagement, form_key)
    roles = policy.participant_roles(actor, engagement)
    if not roles & set(form.filled_by):
        raise DomainError(_("Your role in this engagement does not fill in this form."), status=403)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    answers = clean_answers(form, data)
    visibility = check_visibility(visibility, default_visibility(engagement, "form", form))
    if response is not None:
        if response.author_id != actor.pk or response.engagement_id != engagement.pk:
            raise DomainError(_("Only its author changes an answer."), status=403)
        response.data = answers
        response.visibility = visibility
        response.updated_at = timezone.now()
        response.save(update_fields=["data", "visibility", "updated_at"])
        audit.record(
            actor=actor,
            action="form.update",
            target=response,
            data={"form": form_key, "visibility": visibility},
        )
        return response
    if (
        not form.repeatable
        and FormResponse.objects.filter(
            engagement=engagement, form_key=form_key, author=actor
        ).exists()
    ):
        raise DomainError(
            _("You have already filled in this form; change your answer instead."), status=409
        )
    response = FormResponse.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        form_key=form_key,
        title=form.title,
        author=actor,
        visibility=visibility,
        data=answers,
    )
    audit.record(
        actor=actor,
        action="form.submit",
        target=response,
        data={"form": form_key, "visibility": visibility},
    )
    record_event(engagement, "form", actor=actor, ref=form_key)
    return response


@transaction.atomic
def resource_add(
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    url: str = "",
    upload: UploadedFile[bytes] | None = None,
    visibility: str | None = None,
) -> Resource:
    policy.require(actor, Action.ADD_NOTE, engagement)
    if not title.strip():
        raise DomainError(_("Give the resource a title."), field="title")
    if not url and upload is None:
        raise DomainError(_("Add a link or a file."), field="url")
    if url and not url.startswith(("https://", "http://")):
        raise DomainError(_("A link starts with https:// or http://."), field="url")
    content_type = check_upload(upload) if upload is not None else ""
    resource = Resource(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=actor,
        visibility=check_visibility(visibility, Visibility.TEAM),
        title=title.strip(),
        url=url,
        content_type=content_type,
        filename=(upload.name or "")[:255] if upload else "",
    )
    if upload is not None:
        resource.file.save(upload.name or "file", upload, save=False)
    resource.save()
    audit.record(actor=actor, action="resource.add", target=resource)
    return resource


def people_in(engagement: Engagement, roles: Sequence[str]) -> list[User]:
    return [p.user for p in engagement.participants.select_related("user").filter(role__in=roles)]


def team_of(engagement: Engagement) -> list[User]:
    return people_in(engagement, TEAM_ROLES)
