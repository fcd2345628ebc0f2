"""Anonymous participant feedback: open a collection (a link), take answers without an account,
close it, and publish aggregated results only when enough people answered.

One aggregation function serves the page, the API and exports, so every channel obeys the same
threshold (DESIGN.md, invariant 2)."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action, AnyUser
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, EngagementStatus, Participant
from coachloop.engagements.services import check_visibility, default_visibility, record_event
from coachloop.feedback.models import FeedbackAnswer, FeedbackCollection
from coachloop.lib.errors import DomainError
from coachloop.playbooks.answers import clean_answers
from coachloop.playbooks.schema import FormSpec

FLOOR = 3  # no threshold below this, whatever a playbook says


@transaction.atomic
def collection_open(
    *,
    actor: User,
    engagement: Engagement,
    form_key: str,
    title: str = "",
    visibility: str | None = None,
) -> FeedbackCollection:
    policy.require(actor, Action.COACH, engagement)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    spec = engagement.spec
    form = (
        next((f for f in spec.forms if f.key == form_key and f.anonymous), None) if spec else None
    )
    if form is None:
        raise DomainError(
            _("This playbook has no anonymous form “%s”.") % form_key, field="form_key"
        )
    collection = FeedbackCollection.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        form_key=form.key,
        form=form.model_dump(mode="json"),
        title=title.strip()[:200] or form.title,
        token=secrets.token_urlsafe(24),
        author=actor,
        visibility=check_visibility(visibility, default_visibility(engagement, "feedback")),
        min_responses=max(FLOOR, form.min_responses),
        min_comments=max(FLOOR, form.min_responses, form.min_responses_for_comments),
    )
    audit.record(actor=actor, action="feedback.open", target=collection)
    return collection


def form_of(collection: FeedbackCollection) -> FormSpec:
    return FormSpec.model_validate(collection.form)


def collection_by_token(token: str) -> FeedbackCollection:
    collection = FeedbackCollection.objects.filter(token=token).first()
    if collection is None:
        raise DomainError(
            _("This feedback link is not valid. Check it with whoever sent it."), status=404
        )
    return collection


ANSWERS_PER_DEVICE = 3  # per collection and per day, from one network address
DAY = 24 * 3600


@transaction.atomic
def answer_submit(
    *,
    token: str,
    data: dict[str, Any],
    respondent: AnyUser | None = None,
    client: str = "",
) -> None:
    """Store one anonymous answer. Deliberately returns nothing that identifies the row, and
    writes no audit event: the audit trail must not time-stamp individual answers.

    The people of the engagement may not answer its feedback (a coach could otherwise fill the
    group up to the threshold and read the one real answer), and one network address gives at
    most a few answers a day; the counter is a hash in the cache, never stored with answers."""
    collection = collection_by_token(token)
    if not collection.is_open:
        raise DomainError(_("This feedback form is closed; thank you all the same."), status=410)
    user_id = respondent.pk if respondent is not None and respondent.is_authenticated else None
    takes_part = Participant.objects.filter(engagement=collection.engagement_id)
    if user_id is not None and takes_part.filter(user_id=user_id).exists():
        raise DomainError(
            _("People in this engagement don't answer its anonymous feedback."), status=403
        )
    answers = clean_answers(form_of(collection), data)
    if client:
        key = "feedback:" + hashlib.sha256(f"{collection.pk}:{client}".encode()).hexdigest()
        cache.add(key, 0, DAY)
        if cache.incr(key) > ANSWERS_PER_DEVICE:
            raise DomainError(
                _("This device has already sent several answers today; thank you."), status=429
            )
    FeedbackAnswer.objects.create(collection=collection, data=answers)


@transaction.atomic
def collection_close(*, actor: User, collection: FeedbackCollection) -> FeedbackCollection:
    engagement = collection.engagement
    policy.require(actor, Action.COACH, engagement)
    collection = FeedbackCollection.objects.select_for_update().get(pk=collection.pk)
    if not collection.is_open:
        raise DomainError(_("This feedback is already closed."), status=409)
    collection.closed_at = timezone.now()
    collection.save(update_fields=["closed_at"])
    audit.record(actor=actor, action="feedback.close", target=collection)
    record_event(engagement, "feedback", actor=actor, ref=collection.form_key)
    return collection


@dataclass
class FieldResult:
    key: str
    label: str
    type: str
    counts: list[tuple[str, int]] = field(default_factory=list)
    mean: float | None = None
    comments: list[str] = field(default_factory=list)
    comments_hidden: bool = False


@dataclass
class Results:
    published: bool
    reason: str
    respondents: int | None  # None unless published: a count below k is itself a disclosure
    fields: list[FieldResult] = field(default_factory=list)


def results(collection: FeedbackCollection) -> Results:
    """The published results, or why there are none. Results appear only for a closed
    collection (so no two published views differ by one late answer) with at least
    `min_responses` answers; free text only with at least `min_comments`."""
    k = max(FLOOR, collection.min_responses)
    if collection.is_open:
        return Results(
            False,
            _("Results appear when the form is closed and at least %d people have answered.") % k,
            None,
        )
    rows = list(collection.answers.values_list("data", flat=True))
    n = len(rows)
    if n < k:
        return Results(
            False,
            _("Fewer than %d people answered, so no results are shown, to keep answers anonymous.")
            % k,
            None,
        )
    form = form_of(collection)
    out = []
    for spec in form.fields:
        values = [row[spec.key] for row in rows if spec.key in row]
        result = FieldResult(spec.key, spec.label, spec.type)
        if spec.type in ("scale", "choice", "number"):
            if spec.type == "scale":
                low, high = spec.scale
                counter = Counter(values)
                result.counts = [(str(p), counter.get(p, 0)) for p in range(low, high + 1)]
            elif spec.type == "choice":
                counter = Counter(values)
                result.counts = [(c, counter.get(c, 0)) for c in spec.choices]
            if values:
                result.mean = (
                    round(sum(float(v) for v in values) / len(values), 2)
                    if spec.type != "choice"
                    else None
                )
        else:
            if n >= max(k, collection.min_comments):
                result.comments = sorted(str(v) for v in values)  # sorted: order reveals nothing
            else:
                result.comments_hidden = True
        out.append(result)
    return Results(True, "", n, out)
