"""Writes for messages and check-ins (seed 003: "communicating in a timely and responsive
manner"). Pages and the API call these; every refusal is a DomainError and nothing is written.

Messages are team content: a thread is always at the team level, and goes only to the
engagement's coaches and coachees. A coachee's message that asks for an answer becomes a tracked
question in the same transaction; a coach's message answers the thread's open questions
(messaging.responsiveness). Notifications name the engagement and the author, never the subject or
the text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NoReturn

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import TEAM_ROLES, Engagement, Participant, ParticipantRole
from coachloop.engagements.services import check_visibility, default_visibility, require_active
from coachloop.lib.errors import DomainError
from coachloop.lib.uploads import check_upload
from coachloop.messaging import responsiveness
from coachloop.messaging.models import (
    Attachment,
    Contact,
    ContactMethod,
    Message,
    Question,
    Thread,
)
from coachloop.notifications.services import notify

#: files one message may carry
MAX_ATTACHMENTS = 5
MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_NOTE = 20_000


def team_members(engagement: Engagement) -> list[User]:
    """The engagement's coaches and coachees, each once, by name."""
    links = (
        Participant.objects.filter(engagement=engagement, role__in=TEAM_ROLES)
        .select_related("user")
        .order_by("user__family_name", "user__given_name", "user__email", "user_id")
    )
    people: dict[int, User] = {}
    for link in links:
        people.setdefault(link.user_id, link.user)
    return list(people.values())


def is_coachee(user: User, engagement: Engagement) -> bool:
    return Participant.objects.filter(
        engagement=engagement, user=user, role=ParticipantRole.COACHEE
    ).exists()


def is_coach(user: User, engagement: Engagement) -> bool:
    return Participant.objects.filter(
        engagement=engagement, user=user, role=ParticipantRole.COACH
    ).exists()


def _require_team(actor: User, engagement: Engagement) -> None:
    if not policy.allowed(actor, Action.ADD_NOTE, engagement):
        raise DomainError(
            _("Only the engagement's coaches and coachees write messages and log check-ins."),
            status=403,
        )
    require_active(engagement)


def _recipients(
    actor: User, engagement: Engagement, recipient_ids: Sequence[int] | None
) -> list[User]:
    """The people the thread goes to: the team (without the author) when none are named; a
    named person outside the team is refused, whoever they are (sponsor, administrator, someone
    of another engagement or tenant): the message says so without naming them."""
    team = {u.pk: u for u in team_members(engagement) if u.pk != actor.pk}
    if recipient_ids is None:
        return list(team.values())
    outside = [pk for pk in recipient_ids if pk not in team and pk != actor.pk]
    if outside:
        raise DomainError(
            _(
                "Messages go only to this engagement's coaches and coachees; person %(ids)s is "
                "not one of them. Choose people from the list."
            )
            % {"ids": ", ".join(str(pk) for pk in outside)},
            field="recipients",
            status=422,
        )
    chosen = [team[pk] for pk in dict.fromkeys(recipient_ids) if pk in team]
    if not chosen:
        raise DomainError(
            _("Choose at least one person to write to."), field="recipients", status=422
        )
    return chosen


def _refuse(errors: dict[str, str]) -> NoReturn:
    """One refusal for every input found wrong, named by the first field."""
    field, message = next(iter(errors.items()))
    raise DomainError(message, field=field, errors=errors, status=422)


def _check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise DomainError(_("Write the message before sending it."), field="body", status=422)
    if len(text) > MAX_BODY:
        raise DomainError(
            _("A message can be at most %(n)d characters; this one has %(m)d.")
            % {"n": MAX_BODY, "m": len(text)},
            field="body",
            status=422,
        )
    return text


def _check_files(files: Sequence[UploadedFile[bytes]]) -> list[tuple[UploadedFile[bytes], str]]:
    """Every file checked (type by content, size) before anything is written."""
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(
            _("A message can carry at most %(n)d files; you chose %(m)d.")
            % {"n": MAX_ATTACHMENTS, "m": len(files)},
            field="attachments",
            status=422,
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload, field="attachments")))
        except DomainError as err:
            err.status = 422
            raise
    return checked


def _post(
    *,
    actor: User,
    thread: Thread,
    body: str,
    files: Sequence[tuple[UploadedFile[bytes], str]],
    needs_answer: bool,
    now: dt.datetime,
) -> Message:
    """The message, its files, the thread's counters and the question hooks (in the caller's
    transaction, with the thread locked)."""
    engagement = thread.engagement
    message = Message.objects.create(
        organisation_id=thread.organisation_id,
        thread=thread,
        author=actor,
        body=body,
        created_at=now,
    )
    for upload, content_type in files:
        name = (upload.name or "file")[:255]
        attachment = Attachment(
            message=message, name=name, size=upload.size or 0, content_type=content_type
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
    thread.last_message_at = now
    thread.message_count = Message.objects.filter(thread=thread).count()
    thread.save(update_fields=["last_message_at", "message_count"])
    # A coach's message answers the open questions asked before it; then a coachee's own
    # question is tracked (after, so that someone both coach and coachee does not answer it).
    responsiveness.message_posted(message)
    if needs_answer and is_coachee(actor, engagement):
        responsiveness.question_asked(message)
    audit.record(
        actor=actor,
        action="message.post",
        target=message,
        data={"thread": thread.pk, "attachments": len(files), "question": needs_answer},
    )
    return message


def _notify(thread: Thread, actor: User, people: Sequence[User]) -> None:
    """Tell `people` a message arrived: the engagement and the author only, never content."""
    engagement = thread.engagement
    notify(
        [u for u in people if u.pk != actor.pk],
        _("New message from %(actor)s in %(engagement)s")
        % {"actor": actor, "engagement": engagement.title},
        _("%(actor)s has written to you in “%(engagement)s”. Read the message in Coachloop:")
        % {"actor": actor, "engagement": engagement.title},
        thread.get_absolute_url(),
    )


@transaction.atomic
def thread_create(
    *,
    actor: User,
    engagement: Engagement,
    subject: str,
    body: str,
    recipient_ids: Sequence[int] | None = None,
    files: Sequence[UploadedFile[bytes]] = (),
    needs_answer: bool = False,
) -> Thread:
    """Start a thread with its first message. `recipient_ids` None: the whole team."""
    _require_team(actor, engagement)
    errors: dict[str, str] = {}
    title = subject.strip()
    if not title:
        errors["subject"] = _("Give the thread a subject.")
    elif len(title) > MAX_SUBJECT:
        errors["subject"] = _("A subject can be at most %d characters.") % MAX_SUBJECT
    for check in (
        lambda: _check_body(body),
        lambda: _recipients(actor, engagement, recipient_ids),
        lambda: _check_files(files),
    ):
        try:
            check()
        except DomainError as err:
            errors.update(err.errors)
    if errors:
        _refuse(errors)
    text = _check_body(body)
    people = _recipients(actor, engagement, recipient_ids)
    checked = _check_files(files)
    now = timezone.now()
    thread = Thread.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        subject=title,
        author=actor,
        visibility=Visibility.TEAM,
        created_at=now,
        last_message_at=now,
    )
    thread.recipients.set(people)
    _post(actor=actor, thread=thread, body=text, files=checked, needs_answer=needs_answer, now=now)
    audit.record(
        actor=actor,
        action="thread.create",
        target=thread,
        data={"recipients": [u.pk for u in people]},
    )
    _notify(thread, actor, people)
    return thread


@transaction.atomic
def message_reply(
    *,
    actor: User,
    thread: Thread,
    body: str,
    files: Sequence[UploadedFile[bytes]] = (),
    needs_answer: bool = False,
) -> Message:
    """A reply in the thread; told: the thread's author and recipients still in the team."""
    engagement = thread.engagement
    _require_team(actor, engagement)
    errors: dict[str, str] = {}
    for check in (lambda: _check_body(body), lambda: _check_files(files)):
        try:
            check()
        except DomainError as err:
            errors.update(err.errors)
    if errors:
        _refuse(errors)
    text = _check_body(body)
    checked = _check_files(files)
    thread = Thread.objects.select_for_update().select_related("engagement").get(pk=thread.pk)
    message = _post(
        actor=actor,
        thread=thread,
        body=text,
        files=checked,
        needs_answer=needs_answer,
        now=timezone.now(),
    )
    team = {u.pk: u for u in team_members(engagement)}
    named = {thread.author_id, *thread.recipients.values_list("pk", flat=True)}
    _notify(thread, actor, [team[pk] for pk in named if pk in team])
    return message


# --- Check-ins by other channels ----------------------------------------------------------------


def open_questions(engagement: Engagement) -> list[Question]:
    """The engagement's questions still waiting for an answer, oldest first (for the coach who
    logs a check-in that answered some)."""
    return list(
        Question.objects.filter(engagement=engagement, answered_at__isnull=True)
        .select_related("thread", "asked_by")
        .order_by("asked_at", "id")
    )


@transaction.atomic
def contact_log(
    *,
    actor: User,
    engagement: Engagement,
    method: str,
    occurred_at: dt.datetime | None,
    note: str = "",
    visibility: str | None = None,
    answered_ids: Sequence[int] = (),
) -> Contact:
    """Log a check-in made by email, phone, in person or video. A coach may say which open
    questions of the engagement it answered; their response time runs to `occurred_at`."""
    _require_team(actor, engagement)
    errors: dict[str, str] = {}
    if method not in ContactMethod.values:
        errors["method"] = _("Choose how the check-in happened: %(choices)s.") % {
            "choices": ", ".join(str(label) for label in ContactMethod.labels)
        }
    now = timezone.now()
    if occurred_at is None:
        errors["occurred_at"] = _("Enter when the check-in happened.")
    elif occurred_at > now:
        errors["occurred_at"] = _("A check-in is logged after it happened: choose a past time.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("A note can be at most %d characters.") % MAX_NOTE
    try:
        level = check_visibility(visibility, default_visibility(engagement, "contact"))
    except DomainError as err:
        errors.update(err.errors)
        level = ""
    answers: list[Question] = []
    if answered_ids:
        if not is_coach(actor, engagement):
            errors["answered"] = _("Only the engagement's coaches answer its questions.")
        else:
            wanted = list(dict.fromkeys(answered_ids))
            found = {
                q.pk: q
                for q in Question.objects.select_for_update().filter(
                    engagement=engagement, answered_at__isnull=True, pk__in=wanted
                )
            }
            missing = [pk for pk in wanted if pk not in found]
            if missing:
                errors["answered"] = _(
                    "Question %s is not an open question of this engagement: it may have been "
                    "answered meanwhile. Choose from the list."
                ) % ", ".join(str(pk) for pk in missing)
            else:
                answers = [found[pk] for pk in wanted]
                if occurred_at is not None and any(q.asked_at > occurred_at for q in answers):
                    errors["answered"] = _(
                        "A check-in answers only questions asked before it; this one happened "
                        "before a question you chose."
                    )
    if errors:
        _refuse(errors)
    assert occurred_at is not None
    contact = Contact.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=actor,
        method=method,
        occurred_at=occurred_at,
        note=note.strip(),
        visibility=level,
        created_at=now,
    )
    responsiveness.contact_logged(contact, answers)
    audit.record(
        actor=actor,
        action="contact.log",
        target=contact,
        data={"method": method, "visibility": level, "answered": [q.pk for q in answers]},
    )
    return contact
