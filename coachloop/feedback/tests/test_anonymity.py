"""Anonymity of respondents (DESIGN.md, invariant 2), as properties: whatever the number of
answers and what they say, results are published only for a closed collection with at least k
answers, comments only with at least 10, the published counts add up to the respondents, and
nothing stored or logged can tie an answer to a person."""

import logging

from django.db import models
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.access.models import AuditEvent
from coachloop.feedback import services as feedback
from coachloop.feedback.models import FeedbackAnswer

K = 5  # the participant-feedback form's min_responses
COMMENTS_K = 10  # its min_responses_for_comments
SCALES = ("purpose", "engagement", "useful")

point = st.integers(min_value=1, max_value=4)
comment = st.text(alphabet=st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=30)
one_answer = st.fixed_dictionaries(
    {"purpose": point, "engagement": point, "useful": point},
    optional={"comment": comment.filter(lambda text: text.strip())},
)


def collection_with(world, answers, closed):
    collection = feedback.collection_open(
        actor=world.cora, engagement=world.engagement, form_key="participant-feedback"
    )
    for data in answers:
        feedback.answer_submit(token=collection.token, data=data)
    if closed:
        collection = feedback.collection_close(actor=world.cora, collection=collection)
    return collection


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=st.lists(one_answer, max_size=15), closed=st.booleans())
def test_results_obey_the_thresholds_whatever_the_answers(world, answers, closed):
    n = len(answers)
    results = feedback.results(collection_with(world, answers, closed))
    assert results.published == (closed and n >= K)
    if not results.published:
        # Nothing that reveals n: no count, no figures, and the same reason for every n below k.
        assert results.respondents is None
        assert results.fields == []
        assert results.reason == feedback.results(collection_with(world, [], closed)).reason
        return
    assert results.respondents == n
    by_key = {f.key: f for f in results.fields}
    for key in SCALES:
        counts = dict(by_key[key].counts)
        assert list(counts) == ["1", "2", "3", "4"]
        assert sum(counts.values()) == n
        assert by_key[key].mean == round(sum(a[key] for a in answers) / n, 2)
    comments = by_key["comment"]
    if n >= COMMENTS_K:
        assert not comments.comments_hidden
        given_comments = sorted(a["comment"].strip() for a in answers if "comment" in a)
        assert comments.comments == given_comments
    else:
        assert comments.comments_hidden
        assert comments.comments == []


def test_an_answer_row_cannot_hold_who_answered_or_when():
    names = {f.name for f in FeedbackAnswer._meta.get_fields()}
    assert names == {"id", "collection", "data", "answered_on"}
    # Only the day: a time of day could be matched against who was in the room when.
    assert type(FeedbackAnswer._meta.get_field("answered_on")) is models.DateField


def test_answering_writes_no_log_no_audit_and_no_identifying_cookie(world, caplog, settings):
    collection = collection_with(world, [], closed=False)
    audit_before = AuditEvent.objects.count()
    anonymous = Client()
    with caplog.at_level(logging.DEBUG):
        page = anonymous.get(f"/f/{collection.token}/")
        response = anonymous.post(
            f"/f/{collection.token}/", {"purpose": "2", "engagement": "3", "useful": "4"}
        )
    assert response.status_code == 302
    assert FeedbackAnswer.objects.filter(collection=collection).count() == 1
    assert AuditEvent.objects.count() == audit_before
    assert [r for r in caplog.records if not r.name.startswith("django.db")] == []
    cookies = set(page.cookies) | set(response.cookies)
    assert cookies <= {settings.CSRF_COOKIE_NAME}
    assert settings.SESSION_COOKIE_NAME not in anonymous.cookies
