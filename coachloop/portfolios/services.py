"""Writes for portfolio entries: submit, revise after a return, review (return or accept)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, EngagementStatus, ParticipantRole
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    people_in,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.lib.uploads import check_upload
from coachloop.notifications.services import notify
from coachloop.portfolios.models import (
    EntryStatus,
    PortfolioEntry,
    PortfolioReview,
    PortfolioRevision,
)
from coachloop.rubrics.services import score_create


def _revision(
    entry: PortfolioEntry, upload: UploadedFile[bytes], note: str, number: int
) -> PortfolioRevision:
    content_type = check_upload(upload)
    revision = PortfolioRevision(
        entry=entry,
        number=number,
        filename=(upload.name or "file")[:255],
        content_type=content_type,
        size=upload.size or 0,
        note=note.strip(),
    )
    revision.file.save(upload.name or "file", upload, save=False)
    revision.save()
    return revision


@transaction.atomic
def entry_submit(
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    description: str,
    upload: UploadedFile[bytes] | None,
    visibility: str | None = None,
) -> PortfolioEntry:
    policy.require(actor, Action.SUBMIT_PORTFOLIO, engagement)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    if not title.strip():
        raise DomainError(_("Give the entry a title."), field="title")
    level = check_visibility(visibility, default_visibility(engagement, "portfolio"))
    if level == Visibility.PRIVATE:
        raise DomainError(
            _("A private entry could not be reviewed; share it at least with your coach."),
            field="visibility",
        )
    check_upload(upload)  # before anything is written
    assert upload is not None
    entry = PortfolioEntry.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=actor,
        visibility=level,
        title=title.strip()[:200],
        description=description.strip(),
    )
    _revision(entry, upload, "", 1)
    audit.record(actor=actor, action="portfolio.submit", target=entry)
    notify(
        people_in(engagement, [ParticipantRole.COACH]),
        _("A portfolio entry awaits your review"),
        _("%(actor)s has submitted a portfolio entry in “%(title)s”.")
        % {"actor": actor, "title": engagement.title},
        entry.get_absolute_url(),
    )
    return entry


@transaction.atomic
def entry_revise(
    *, actor: User, entry: PortfolioEntry, upload: UploadedFile[bytes] | None, note: str = ""
) -> PortfolioRevision:
    engagement = entry.engagement
    policy.require(actor, Action.SUBMIT_PORTFOLIO, engagement)
    require_active(engagement)
    entry = PortfolioEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.author_id != actor.pk:
        raise DomainError(_("Only the entry's author revises it."), status=403)
    if entry.status != EntryStatus.RETURNED:
        raise DomainError(_("Only an entry returned for revision can be revised."), status=409)
    check_upload(upload)
    assert upload is not None
    last = entry.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    revision = _revision(entry, upload, note, last + 1)
    entry.status = EntryStatus.SUBMITTED
    entry.save(update_fields=["status"])
    audit.record(
        actor=actor, action="portfolio.revise", target=entry, data={"revision": revision.number}
    )
    notify(
        people_in(engagement, [ParticipantRole.COACH]),
        _("A revised portfolio entry awaits your review"),
        _("%(actor)s has revised a portfolio entry in “%(title)s”.")
        % {"actor": actor, "title": engagement.title},
        entry.get_absolute_url(),
    )
    return revision


@transaction.atomic
def entry_review(
    *,
    actor: User,
    entry: PortfolioEntry,
    accept: bool,
    feedback: str,
    ratings: dict[str, dict[str, Any]] | None = None,
    rubric_key: str | None = None,
) -> PortfolioReview:
    """Return the entry for revision or accept it for archiving, with feedback and, when the
    playbook has a portfolio rubric, its scores."""
    engagement = entry.engagement
    policy.require(actor, Action.COACH, engagement)
    if not policy.allowed(actor, Action.VIEW, entry):
        raise DomainError(_("There is no entry you can read here."), status=404)
    entry = PortfolioEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != EntryStatus.SUBMITTED:
        raise DomainError(_("This entry is not awaiting review."), status=409)
    if not feedback.strip():
        raise DomainError(_("Write feedback for the performer."), field="feedback")
    score = None
    if ratings:
        score = score_create(
            actor=actor,
            engagement=engagement,
            rubric_key=rubric_key or "portfolio",
            subject=entry.title,
            ratings=ratings,
            feedback=feedback,
            visibility=entry.visibility,
            complete_steps=False,
        )
    revision = entry.revisions.order_by("-number").first()
    assert revision is not None
    decision = EntryStatus.ACCEPTED if accept else EntryStatus.RETURNED
    review = PortfolioReview.objects.create(
        entry=entry,
        revision=revision,
        reviewer=actor,
        decision=decision,
        feedback=feedback.strip(),
        score=score,
    )
    entry.status = decision
    entry.accepted_at = timezone.now() if accept else None
    entry.save(update_fields=["status", "accepted_at"])
    audit.record(
        actor=actor,
        action=f"portfolio.{decision}",
        target=entry,
        data={"revision": revision.number},
    )
    if accept:
        record_event(engagement, "portfolio", actor=actor)
    notify(
        [entry.author],
        _("Your portfolio entry was accepted")
        if accept
        else _("Your portfolio entry was returned for revision"),
        _("%(actor)s has reviewed “%(entry)s” and left feedback.")
        % {"actor": actor, "entry": entry.title},
        entry.get_absolute_url(),
    )
    return review
