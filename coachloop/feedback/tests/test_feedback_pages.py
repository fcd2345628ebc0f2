"""Anonymous participant feedback through the pages: the coach opens a form and shares its link,
people answer without an account, the coach closes it, and results appear only when enough
people answered; an open form never shows how many have."""

import pytest
from django.test import Client

from coachloop.feedback import services as feedback
from coachloop.feedback.models import FeedbackAnswer, FeedbackCollection

ANSWER = {"purpose": "4", "engagement": "3", "useful": "3", "comment": "More time for data."}


@pytest.fixture
def collection(world):
    return feedback.collection_open(
        actor=world.cora,
        engagement=world.engagement,
        form_key="participant-feedback",
        title="Data meeting of 12 March",
    )


def detail_url(collection):
    return f"/engagements/{collection.engagement_id}/feedback/{collection.pk}/"


def answer(collection, times):
    for n in range(times):
        feedback.answer_submit(
            token=collection.token,
            data={"purpose": 4, "engagement": 1 + n % 4, "useful": 3, "comment": f"Comment {n}"},
        )


def close_through_the_page(client, collection):
    confirm = client.get(f"{detail_url(collection)}close/")
    assert confirm.status_code == 200
    assert b"Close and see results" in confirm.content
    response = client.post(f"{detail_url(collection)}close/")
    assert response.status_code == 302
    collection.refresh_from_db()
    assert not collection.is_open


def test_the_coach_opens_a_form_and_gets_its_link(world, signed_in):
    cora = signed_in(world.cora)
    listing = cora.get(f"/engagements/{world.engagement.pk}/feedback/")
    assert b"No feedback forms you can read yet." in listing.content
    response = cora.post(
        f"/engagements/{world.engagement.pk}/feedback/",
        {"form_key": "participant-feedback", "title": "", "visibility": "team"},
    )
    collection = FeedbackCollection.objects.get()
    assert response["Location"] == detail_url(collection)
    assert collection.title == "Participant feedback"
    page = cora.get(detail_url(collection)).content.decode()
    assert f"http://testserver/f/{collection.token}/" in page
    assert "Collecting answers" in page
    assert "Close and see results" in page


def test_anyone_with_the_link_answers_without_signing_in(world, collection):
    anonymous = Client()
    page = anonymous.get(f"/f/{collection.token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your answers are anonymous" in body
    assert 'type="radio" name="purpose" value="4"' in body
    assert "1 strongly disagree, 4 strongly agree" in body
    for person in (world.cora, world.tom, world.lena):
        assert person.family_name not in body
        assert person.email not in body
    # Only the origin, never the path with the token (no-referrer would break the CSRF check).
    assert page["Referrer-Policy"] == "strict-origin"
    assert "no-store" in page["Cache-Control"]
    response = anonymous.post(f"/f/{collection.token}/", ANSWER)
    assert response.status_code == 302
    assert response["Location"] == f"/f/{collection.token}/thanks/"
    assert FeedbackAnswer.objects.filter(collection=collection).count() == 1
    thanks = anonymous.get(response["Location"])
    assert b"Thank you" in thanks.content
    assert thanks["Referrer-Policy"] == "no-referrer"


def test_a_missing_required_answer_is_explained_and_the_rest_kept(world, collection):
    response = Client().post(
        f"/f/{collection.token}/", {"purpose": "", "engagement": "2", "comment": "Keep me"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Answer “The purpose of the session was clear”; it is required." in body
    assert "Keep me" in body
    assert 'value="2" id="id_engagement_1" checked' in body
    assert not FeedbackAnswer.objects.exists()


def test_an_open_form_never_shows_how_many_answered(world, collection, signed_in):
    answer(collection, 4)
    cora = signed_in(world.cora)
    for url in (detail_url(collection), f"/engagements/{world.engagement.pk}/feedback/"):
        body = cora.get(url).content.decode()
        assert "people answered." not in body
        assert "4 people" not in body
        assert "4 answers" not in body
    assert "Collecting answers" in cora.get(detail_url(collection)).content.decode()


def test_four_answers_then_close_shows_no_results_and_no_count(world, collection, signed_in):
    answer(collection, 4)
    cora = signed_in(world.cora)
    close_through_the_page(cora, collection)
    body = cora.get(detail_url(collection)).content.decode()
    assert "Fewer than 5 people answered, so no results are shown" in body
    assert "4 people" not in body
    assert "people answered." not in body
    assert "Mean" not in body
    assert "Comment 0" not in body


def test_six_answers_then_close_shows_counts_but_not_comments(world, collection, signed_in):
    answer(collection, 6)
    cora = signed_in(world.cora)
    close_through_the_page(cora, collection)
    body = cora.get(detail_url(collection)).content.decode()
    assert "6 people answered." in body
    assert '<th scope="row">4</th><td class="count">6</td>' in body  # all six chose 4
    assert "Mean: 4.0" in body
    assert "Comments are shown only when at least 10 people answered" in body
    assert "Comment 0" not in body


def test_ten_answers_show_the_comments(world, collection, signed_in):
    answer(collection, 10)
    feedback.collection_close(actor=world.cora, collection=collection)
    body = signed_in(world.cora).get(detail_url(collection)).content.decode()
    assert "10 people answered." in body
    assert "Comment 9" in body


def test_a_closed_form_takes_no_more_answers(world, collection):
    feedback.collection_close(actor=world.cora, collection=collection)
    anonymous = Client()
    assert anonymous.get(f"/f/{collection.token}/").status_code == 410
    response = anonymous.post(f"/f/{collection.token}/", ANSWER)
    assert response.status_code == 410
    assert b"This feedback form is closed" in response.content
    assert not FeedbackAnswer.objects.exists()


def test_an_unknown_link_says_so(db):
    response = Client().get("/f/not-a-real-token/")
    assert response.status_code == 404
    assert b"This feedback link is not valid." in response.content


def test_only_the_coach_closes_and_only_the_team_reads_team_results(world, collection, signed_in):
    tom = signed_in(world.tom)
    assert tom.get(detail_url(collection)).status_code == 200
    assert f"/f/{collection.token}/" not in tom.get(detail_url(collection)).content.decode()
    assert tom.post(f"{detail_url(collection)}close/").status_code == 403
    collection.refresh_from_db()
    assert collection.is_open
    for name in ("lena", "ada", "tina", "ben"):
        assert signed_in(getattr(world, name)).get(detail_url(collection)).status_code == 404
