"""Writes for survey administrations and the anonymous respondent flow (seed 002, DESIGN.md
invariant 2).

Administrations: create one from an engagement (invitations in the same transaction, emails
after commit), add emailed or printed invitations, remind those who have not answered (without
anyone learning who), extend the window, close (by hand, or `close_due` from the worker), which
completes the engagement's survey step.

Respondents: a link's token finds its invitation by hash; the draft is encrypted with a key from
the token; the submission is one transaction that writes a `Response` with its `Answer` and
`Comment` rows, deletes the draft and marks the invitation used. Nothing written joins the
invitation to the response: no time, no id, no audit event, no log line; the response's `wave`
numbers blocks of k responses (surveys.engine: live results).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Participant
from coachloop.engagements.services import default_visibility, record_event, require_active
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Membership, Role
from coachloop.surveys import schema, tokens
from coachloop.surveys.models import (
    Administration,
    Answer,
    Comment,
    Draft,
    Instrument,
    Invitation,
    Response,
)
from coachloop.surveys.scoring import score

logger = logging.getLogger(__name__)

#: membership role at the school -> the respondent role they answer a school survey as
ROLE_MAP: dict[str, str] = {
    Role.SCHOOL_LEADER: "leader",
    Role.TEACHER: "teacher",
    Role.STAFF: "staff",
}
#: when a person holds several roles at the school, the first of these is the one they answer as
ROLE_PRIORITY = ("leader", "teacher", "staff")
#: the longest free-text answer kept
COMMENT_MAX = 2000
#: printed links added at once, at most
PRINT_MAX = 500
#: at most one email per invitation in this time
REMIND_INTERVAL = datetime.timedelta(hours=24)


# --- Helpers ------------------------------------------------------------------------------------


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _require_manager(actor: User, administration: Administration) -> None:
    if not policy.visible(actor, Administration).filter(pk=administration.pk).exists():
        raise DomainError(_("Not found."), status=404)
    if not policy.allowed(actor, Action.MANAGE, administration):
        raise DomainError(
            _("The engagement's coaches and the programme's administrators run this survey."),
            status=403,
        )


def _locked(administration: Administration) -> Administration:
    return Administration.objects.select_for_update().get(pk=administration.pk)


@dataclass(frozen=True)
class Rater:
    email: str
    role: str
    name: str = ""
    user: User | None = None


def parse_raters(text: str, field_name: str = "raters") -> list[Rater]:
    """Lines of `email, role` (a name may follow as a third part). Every bad line is named."""
    raters: list[Rater] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            problems.append(
                _("Line %(n)d: write an email and a role, separated by a comma.") % {"n": number}
            )
            continue
        email, role = parts[0].lower(), parts[1].lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("Line %(n)d: “%(email)s” is not an email address.")
                % {"n": number, "email": email}
            )
            continue
        if email in seen:
            problems.append(
                _("Line %(n)d: %(email)s is listed twice.") % {"n": number, "email": email}
            )
            continue
        seen.add(email)
        raters.append(Rater(email=email, role=role, name=", ".join(parts[2:])[:200]))
    if problems:
        raise DomainError("\n".join(problems), field=field_name)
    return raters


def _check_rater_roles(raters: Sequence[Rater], roles: Sequence[str], field_name: str) -> None:
    allowed = [r for r in roles if r != "self"]
    problems = [
        _("%(email)s: “%(role)s” is not a role of this survey; use one of: %(roles)s.")
        % {"email": r.email, "role": r.role, "roles": ", ".join(allowed) or "—"}
        for r in raters
        if r.role not in allowed
    ]
    if problems:
        raise DomainError("\n".join(problems), field=field_name)


@dataclass
class PrintedLink:
    """A printed link's token, returned once to be shown once; never stored."""

    role: str
    token: str


@dataclass
class Created:
    administration: Administration
    printed: list[PrintedLink] = field(default_factory=list)


def _new_emailed(administration: Administration, people: Sequence[Rater]) -> list[Invitation]:
    rows = []
    for person in people:
        token = tokens.new_token()
        rows.append(
            Invitation(
                organisation_id=administration.organisation_id,
                administration=administration,
                role=person.role,
                user=person.user,
                email=person.email,
                name=person.name,
                token_hash=tokens.token_hash(token),
                sealed_token=tokens.seal(token),
            )
        )
    return Invitation.objects.bulk_create(rows)


def _new_printed(administration: Administration, role: str, count: int) -> list[PrintedLink]:
    links = [PrintedLink(role=role, token=tokens.new_token()) for _i in range(count)]
    Invitation.objects.bulk_create(
        Invitation(
            organisation_id=administration.organisation_id,
            administration=administration,
            role=role,
            token_hash=tokens.token_hash(link.token),
        )
        for link in links
    )
    return links


def _email_after_commit(ids: list[int], *, reminder: bool) -> None:
    if not ids:
        return
    from coachloop.surveys.tasks import send_invitations

    transaction.on_commit(lambda: send_invitations.enqueue(ids, reminder))


def _existing_emails(administration: Administration) -> set[str]:
    return {
        e.lower()
        for e in Invitation.objects.filter(administration=administration)
        .exclude(email="")
        .values_list("email", flat=True)
    }


def school_staff(engagement: Engagement, roles: Sequence[str]) -> list[Rater]:
    """The school's active staff who hold one of `roles` (mapped from their memberships at the
    engagement's organisation), each once, in the role of highest priority."""
    wanted = {m for m, r in ROLE_MAP.items() if r in roles}
    rows = (
        Membership.objects.filter(
            organisation=engagement.organisation,
            role__in=wanted,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__family_name", "user__given_name", "user_id")
    )
    best: dict[int, tuple[User, str]] = {}
    for m in rows:
        role = ROLE_MAP[m.role]
        held = best.get(m.user_id)
        if held is None or ROLE_PRIORITY.index(role) < ROLE_PRIORITY.index(held[1]):
            best[m.user_id] = (m.user, role)
    return [
        Rater(email=user.email.lower(), role=role, name=str(user), user=user)
        for user, role in best.values()
    ]


def default_instrument_key(engagement: Engagement) -> str | None:
    """The instrument of the engagement's playbook's first survey step, if it has one."""
    spec = engagement.spec
    if spec is None:
        return None
    for _phase, step in spec.steps():
        if step.kind in ("survey", "resurvey") and step.instrument:
            return step.instrument
    return None


# --- Administrations ----------------------------------------------------------------------------


@transaction.atomic
def administration_create(
    *,
    actor: User,
    engagement: Engagement,
    instrument: Instrument,
    title: str = "",
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    roles: Sequence[str] = (),
    subject: User | None = None,
    raters: Sequence[Rater] = (),
    previous: Administration | None = None,
    visibility: str | None = None,
    printable: Mapping[str, int] | None = None,
    live_results: bool = False,
    today: datetime.date | None = None,
) -> Created:
    """An administration of `instrument` for the engagement, with its invitations. For a school
    survey, the school's staff with the chosen roles are invited; for a 360 (or a
    self-assessment), the subject answers as "self" and the raters as typed. `printable` adds
    unnamed printed links per role; their tokens are returned once and never stored."""
    if not policy.visible(actor, Engagement).filter(pk=engagement.pk).exists():
        raise DomainError(_("Not found."), status=404)
    if not policy.allowed(actor, Action.SURVEY, engagement):
        raise DomainError(
            _("The engagement's coaches and the programme's administrators start surveys."),
            status=403,
        )
    require_active(engagement)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not policy.visible(actor, Instrument).filter(pk=instrument.pk).exists():
        raise DomainError(_("Choose one of the instruments listed."), field="instrument")
    version = instrument.current
    if version is None or instrument.is_archived:
        raise DomainError(_("This instrument is archived; choose another one."), field="instrument")
    spec = version.spec
    chosen = list(dict.fromkeys(roles)) or list(spec.roles)
    unknown = [r for r in chosen if r not in spec.roles]
    if unknown:
        errors["roles"] = _("%(bad)s: not a role of this instrument; choose among %(roles)s.") % {
            "bad": ", ".join(unknown),
            "roles": ", ".join(spec.role_label(r) for r in spec.roles),
        }
    if opens_on is None:
        errors["opens_on"] = _("Enter the day the survey opens.")
    if closes_on is None:
        errors["closes_on"] = _("Enter the day the survey closes.")
    elif closes_on < today:
        errors["closes_on"] = _("The close date has passed; choose today or a later day.")
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = _("The survey closes after it opens; choose a later close date.")
    needs_subject = spec.kind in ("360", "self")
    if needs_subject and subject is None:
        errors["subject"] = _("Choose the person this survey is about.")
    elif not needs_subject and subject is not None:
        errors["subject"] = _("A school survey is about the school, not one person.")
    elif (
        subject is not None
        and not Participant.objects.filter(engagement=engagement, user=subject).exists()
    ):
        errors["subject"] = _("Choose a person who takes part in this engagement.")
    if previous is not None:
        previous = Administration.objects.select_related("version").get(pk=previous.pk)
    if previous is not None and (
        previous.engagement_id != engagement.pk
        or previous.version.instrument_id != instrument.pk
        or not previous.is_closed
    ):
        errors["previous"] = _(
            "A re-survey gives again a closed survey of the same instrument in this engagement."
        )
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors)
    assert opens_on is not None
    assert closes_on is not None
    _check_rater_roles(raters, chosen, "raters")
    printable = {r: n for r, n in (printable or {}).items() if n}
    for role, count in printable.items():
        if role not in chosen or role == "self":
            raise DomainError(
                _("Printed links are for one of the survey's roles (not “self”)."),
                field="printable_role",
            )
        if not 0 < count <= PRINT_MAX:
            raise DomainError(
                _("Print between 1 and %d links at once.") % PRINT_MAX, field="printable_count"
            )

    people: list[Rater] = []
    if spec.kind == "school":
        people.extend(school_staff(engagement, chosen))
    if subject is not None and "self" in chosen:
        if not subject.email:
            raise DomainError(_("The subject has no email address."), field="subject")
        people.append(
            Rater(email=subject.email.lower(), role="self", name=str(subject), user=subject)
        )
    emails = {p.email for p in people}
    for rater in raters:
        if rater.email in emails:
            raise DomainError(
                _("%s is already invited; list each person once.") % rater.email, field="raters"
            )
        emails.add(rater.email)
        people.append(rater)
    if not people and not printable:
        raise DomainError(
            _(
                "Nobody would be invited: %(org)s has no active staff in the roles chosen. "
                "Choose other roles, type raters, or print links."
            )
            % {"org": engagement.organisation},
            field="roles",
        )
    visibility = visibility or default_visibility(engagement, "report")
    if visibility not in Visibility.values:
        raise DomainError(_("Choose who can read the report."), field="visibility")
    title = title.strip() or f"{spec.name}: {engagement.organisation}"
    administration = Administration.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        version=version,
        title=title[:200],
        subject=subject,
        roles=chosen,
        opens_on=opens_on,
        closes_on=closes_on,
        previous=previous,
        visibility=visibility,
        live_results=live_results,
        invited_count=len(people) + sum(printable.values()),
        created_by=actor,
    )
    invitations = _new_emailed(administration, people)
    printed: list[PrintedLink] = []
    for role, count in printable.items():
        printed.extend(_new_printed(administration, role, count))
    audit.record(
        actor=actor,
        action="survey.create",
        target=administration,
        data={
            "instrument": instrument.key,
            "version": version.number,
            "roles": chosen,
            "invited": administration.invited_count,
            "printed": len(printed),
            "previous": previous.pk if previous else None,
        },
    )
    _email_after_commit([i.pk for i in invitations], reminder=False)
    return Created(administration=administration, printed=printed)


@transaction.atomic
def invitations_add(*, actor: User, administration: Administration, raters: Sequence[Rater]) -> int:
    """Invite more people by email to an administration that has not closed."""
    _require_manager(actor, administration)
    administration = _locked(administration)
    if administration.is_closed:
        raise DomainError(_("This survey has closed; nobody more can be invited."), status=409)
    if not raters:
        raise DomainError(_("Type at least one line: email, role."), field="raters")
    _check_rater_roles(raters, administration.roles, "raters")
    existing = _existing_emails(administration)
    twice = [r.email for r in raters if r.email in existing]
    if twice:
        raise DomainError(
            _("Already invited: %s. List only people not yet invited.") % ", ".join(twice),
            field="raters",
        )
    invitations = _new_emailed(administration, raters)
    Administration.objects.filter(pk=administration.pk).update(
        invited_count=F("invited_count") + len(invitations)
    )
    audit.record(
        actor=actor,
        action="survey.invite",
        target=administration,
        data={"added": len(invitations)},
    )
    _email_after_commit([i.pk for i in invitations], reminder=False)
    return len(invitations)


@transaction.atomic
def printed_links_add(
    *, actor: User, administration: Administration, role: str, count: int
) -> list[PrintedLink]:
    """Unnamed invitations for `role`: their links are returned once, to be printed; the
    server keeps only their hashes and can never show them again."""
    _require_manager(actor, administration)
    administration = _locked(administration)
    if administration.is_closed:
        raise DomainError(_("This survey has closed; no more links can be made."), status=409)
    if role not in administration.roles or role == "self":
        raise DomainError(
            _("Choose one of the survey's roles: %s.")
            % ", ".join(r for r in administration.roles if r != "self"),
            field="role",
        )
    if not 0 < count <= PRINT_MAX:
        raise DomainError(_("Print between 1 and %d links at once.") % PRINT_MAX, field="count")
    links = _new_printed(administration, role, count)
    Administration.objects.filter(pk=administration.pk).update(
        invited_count=F("invited_count") + count
    )
    audit.record(
        actor=actor,
        action="survey.print_links",
        target=administration,
        data={"role": role, "added": count},
    )
    return links


def _close(administration: Administration, actor: User | None, *, early: bool) -> None:
    now = timezone.now()
    administration.closed_at = now
    administration.save(update_fields=["closed_at"])
    # Unfinished answers can never be sent now: nothing of them is kept.
    Draft.objects.filter(invitation__administration=administration).delete()
    engagement = administration.engagement
    if engagement is not None:
        kind = "resurvey" if administration.previous_id else "survey"
        instrument = administration.version.instrument
        done = record_event(engagement, kind, actor=actor, ref=instrument.key)
        if not done and instrument.based_on_id:
            based_on = Instrument.objects.filter(pk=instrument.based_on_id).first()
            if based_on is not None:
                record_event(engagement, kind, actor=actor, ref=based_on.key)
    audit.record(
        actor=actor,
        action="survey.close",
        target=administration,
        data={"early": early, "closes_on": administration.closes_on.isoformat()},
    )


@transaction.atomic
def administration_close(*, actor: User, administration: Administration) -> Administration:
    """Close now. The report becomes final; a closed survey never reopens."""
    _require_manager(actor, administration)
    administration = _locked(administration)
    if administration.is_closed:
        raise DomainError(_("This survey has already closed."), status=409)
    _close(administration, actor, early=administration.closes_on >= timezone.localdate())
    return administration


@transaction.atomic
def administration_extend(
    *,
    actor: User,
    administration: Administration,
    closes_on: datetime.date | None,
    today: datetime.date | None = None,
) -> Administration:
    """A later close date, only while the survey is open. A closed survey never reopens: two
    final reports of one survey could otherwise differ by fewer than k respondents."""
    _require_manager(actor, administration)
    administration = _locked(administration)
    today = today or timezone.localdate()
    if administration.is_closed or administration.closes_on < today:
        raise DomainError(
            _(
                "This survey has closed, and a closed survey never reopens (its final report "
                "could otherwise be told apart from the next by fewer than k people). "
                "Start a new survey instead."
            ),
            status=409,
        )
    if closes_on is None:
        raise DomainError(_("Enter the new close date."), field="closes_on")
    if closes_on <= administration.closes_on:
        raise DomainError(
            _("Choose a day after the current close date, %s.") % _day(administration.closes_on),
            field="closes_on",
        )
    before = administration.closes_on
    administration.closes_on = closes_on
    administration.revision = F("revision") + 1
    administration.save(update_fields=["closes_on", "revision"])
    administration.refresh_from_db()
    audit.record(
        actor=actor,
        action="survey.extend",
        target=administration,
        data={"from": before.isoformat(), "to": closes_on.isoformat()},
    )
    return administration


@transaction.atomic
def reminders_send(
    *, actor: User, administration: Administration, now: datetime.datetime | None = None
) -> int:
    """Email the same link again to every emailed invitation not yet used, at most once per
    REMIND_INTERVAL each. Returns how many were queued, for the caller's tests only: pages and
    the API say only "Reminders sent", never to whom."""
    _require_manager(actor, administration)
    administration = _locked(administration)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if administration.is_closed or administration.closes_on < today:
        raise DomainError(_("This survey has closed; there is nobody to remind."), status=409)
    if administration.opens_on > today:
        raise DomainError(
            _("This survey opens on %s; remind people once it is open.")
            % _day(administration.opens_on),
            status=409,
        )
    cutoff = now - REMIND_INTERVAL
    due = (
        Invitation.objects.select_for_update()
        .filter(administration=administration, used=False)
        .exclude(sealed_token="")
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=cutoff))
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff))
    )
    ids = list(due.values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids).update(reminded_at=now)
    audit.record(actor=actor, action="survey.remind", target=administration, data={})
    _email_after_commit(ids, reminder=True)
    return len(ids)


def close_due(today: datetime.date | None = None) -> int:
    """Close every administration whose close date has passed (the worker's tick); each in its
    own transaction. Returns how many were closed."""
    today = today or timezone.localdate()
    ids = list(
        Administration.objects.filter(closed_at__isnull=True, closes_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            administration = (
                Administration.objects.select_for_update(of=("self",))
                .filter(pk=pk, closed_at__isnull=True)
                .select_related("version__instrument", "engagement")
                .first()
            )
            if administration is None:
                continue
            _close(administration, None, early=False)
            closed += 1
    return closed


# --- The respondent flow ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of the survey as a respondent sees it: a domain's items asked of their role, or
    the free-text questions (the last page)."""

    number: int
    title: str
    description: str
    items: tuple[schema.ItemSpec, ...] = ()
    questions: tuple[schema.QuestionSpec, ...] = ()


def questions_for(spec: schema.Instrument, role: str) -> list[schema.QuestionSpec]:
    """The free-text questions this role answers. The subject of a 360 answers only the ones
    addressed to "self" by name: comments are stored without a role, and theirs would otherwise
    read as their raters'."""
    if role == "self":
        return [q for q in spec.questions if "self" in q.roles]
    return spec.questions_for(role)


def pages_for(spec: schema.Instrument, role: str) -> list[Page]:
    asked = {i.key for i in spec.items_for(role)}
    pages: list[Page] = []
    for domain in spec.domains:
        items = tuple(i for i in domain.items if i.key in asked)
        if items:
            pages.append(Page(len(pages) + 1, domain.title, domain.description, items=items))
    questions = tuple(questions_for(spec, role))
    if questions:
        pages.append(Page(len(pages) + 1, _("In your own words"), "", questions=questions))
    return pages


def invitation_for(token: str) -> Invitation:
    """The invitation of a link; DomainError 404 when there is none."""
    if not tokens.looks_like_token(token):
        raise DomainError(_("This link is not valid. Check that it was copied whole."), status=404)
    invitation = (
        Invitation.objects.select_related("administration__version", "administration__subject")
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if invitation is None:
        raise DomainError(_("This link is not valid. Check that it was copied whole."), status=404)
    return invitation


def check_answerable(invitation: Invitation, today: datetime.date | None = None) -> None:
    """410 for a used link or a closed survey, 409 for one not yet open: with the dates."""
    administration = invitation.administration
    today = today or timezone.localdate()
    if invitation.used:
        raise DomainError(
            _(
                "This link has already been used; each link answers once. "
                "Thank you for taking part."
            ),
            status=410,
        )
    if administration.closed_at is not None:
        raise DomainError(
            _("This survey closed on %s; answers are no longer taken.")
            % _day(timezone.localdate(administration.closed_at)),
            status=410,
        )
    if administration.closes_on < today:
        raise DomainError(
            _("This survey closed on %s; answers are no longer taken.")
            % _day(administration.closes_on),
            status=410,
        )
    if administration.opens_on > today:
        raise DomainError(
            _("This survey opens on %(opens)s and closes on %(closes)s; come back then.")
            % {"opens": _day(administration.opens_on), "closes": _day(administration.closes_on)},
            status=409,
        )


def check_values(
    spec: schema.Instrument, role: str, values: Mapping[str, int | None]
) -> dict[str, str]:
    """Problems with answers, per item key: an item not asked of the role, a value outside the
    item's scale, "not applicable" where the scale has none."""
    asked = {i.key: i for i in spec.items_for(role)}
    problems: dict[str, str] = {}
    for key, value in values.items():
        item = asked.get(key)
        if item is None:
            problems[key] = _("“%s” is not a question of this survey.") % key[:60]
            continue
        scale = spec.scale(item.scale)
        if value is None:
            if scale.not_applicable is None:
                problems[key] = _("Choose one of the answers given.")
        elif value not in {p.value for p in scale.points}:
            problems[key] = _("Choose one of the answers given (%(low)d to %(high)d).") % {
                "low": scale.low,
                "high": scale.high,
            }
    return problems


def check_comments(
    spec: schema.Instrument, role: str, comments: Mapping[str, str]
) -> dict[str, str]:
    keys = {q.key for q in questions_for(spec, role)}
    problems: dict[str, str] = {}
    for key, text in comments.items():
        if key not in keys:
            problems[key] = _("“%s” is not a question of this survey.") % key[:60]
        elif len(text.strip()) > COMMENT_MAX:
            problems[key] = _("Keep your answer under %(max)d characters (it has %(n)d).") % {
                "max": COMMENT_MAX,
                "n": len(text.strip()),
            }
    return problems


@dataclass
class DraftData:
    values: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    page: int = 0


def draft_load(invitation: Invitation, token: str) -> DraftData:
    """The respondent's saved answers; empty when there are none (or the draft was sealed with
    another key: it is unreadable, so they start again)."""
    row = Draft.objects.filter(invitation=invitation).first()
    if row is None:
        return DraftData()
    try:
        data = tokens.decrypt_draft(token, row.ciphertext)
    except tokens.DraftUnreadable:
        return DraftData()
    values = {
        str(k): (v if isinstance(v, int) else None) for k, v in (data.get("values") or {}).items()
    }
    comments = {str(k): str(v) for k, v in (data.get("comments") or {}).items()}
    return DraftData(values=values, comments=comments, page=row.page)


@transaction.atomic
def draft_save(
    *,
    token: str,
    page: int,
    values: Mapping[str, int | None],
    comments: Mapping[str, str],
    cleared: Sequence[str] = (),
) -> DraftData:
    """Merge one page's answers into the encrypted draft. `cleared` names the page's items left
    unanswered (removed from the draft). Nothing is written when an answer is not valid."""
    invitation = invitation_for(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_answerable(invitation)
    spec = invitation.administration.spec
    problems = check_values(spec, invitation.role, values) | check_comments(
        spec, invitation.role, comments
    )
    if problems:
        raise DomainError(_("Some answers need another look."), errors=problems)
    draft = draft_load(invitation, token)
    for key in cleared:
        draft.values.pop(key, None)
    draft.values.update(values)
    for key, text in comments.items():
        if text.strip():
            draft.comments[key] = text
        else:
            draft.comments.pop(key, None)
    draft.page = max(0, min(page, 1000))
    ciphertext = tokens.encrypt_draft(token, {"values": draft.values, "comments": draft.comments})
    Draft.objects.update_or_create(
        invitation=invitation, defaults={"ciphertext": ciphertext, "page": draft.page}
    )
    return draft


@transaction.atomic
def submit(*, token: str, values: Mapping[str, int | None], comments: Mapping[str, str]) -> None:
    """Write one response, in one transaction, or nothing at all.

    The administration row is locked first (so waves are counted without a race), then the
    invitation (so it answers once). The response knows its role and wave; nothing of the
    invitation. The draft is deleted, the invitation marked used, the response count raised."""
    found = invitation_for(token)
    administration = Administration.objects.select_for_update().get(pk=found.administration_id)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    invitation.administration = administration
    check_answerable(invitation)
    spec = administration.spec
    role = invitation.role
    problems = check_values(spec, role, values) | check_comments(spec, role, comments)
    if problems:
        raise DomainError(_("Some answers need another look."), errors=problems)
    if not values and not any(t.strip() for t in comments.values()):
        raise DomainError(_("Answer at least one question before sending your answers."))
    if role == "self":
        wave = None
    else:
        others = Response.objects.filter(administration=administration).exclude(role="self")
        wave = others.count() // spec.k
    scored = score(spec, role, values)
    response = Response.objects.create(
        administration=administration, role=role, wave=wave, domains=scored.domains
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            administration=administration,
            role=role,
            item=item,
            value=value,
            complete=complete,
        )
        for item, value, complete in scored.answers
    )
    Comment.objects.bulk_create(
        Comment(administration=administration, question=key, text=text.strip())
        for key, text in comments.items()
        if text.strip()
    )
    Draft.objects.filter(invitation=invitation).delete()
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    Administration.objects.filter(pk=administration.pk).update(
        response_count=F("response_count") + 1
    )


def submit_draft(*, token: str) -> None:
    """Send the answers saved in the draft."""
    invitation = invitation_for(token)
    draft = draft_load(invitation, token)
    submit(token=token, values=draft.values, comments=draft.comments)


def parse_answer(raw: str) -> tuple[bool, int | None]:
    """A posted radio value: "" (no answer) -> (False, None); "na" -> (True, None); a number ->
    (True, n). Anything else raises ValueError."""
    raw = raw.strip()
    if raw == "":
        return False, None
    if raw == "na":
        return True, None
    return True, int(raw)


def comments_clean(comments: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in comments.items()}
