"""Coaching-feedback pages and API: who may open a coach's rounds (404 for others), the round's
report with the reply form for its coach only, typed input kept on a refused reply, the
replies page for coachees, the programme's trends with their export, and the API's answers."""

import pytest

from coachloop.coaches import feedback
from coachloop.coaches.models import FeedbackReply
from coachloop.coaches.tests.test_feedback import answer, asked, close_quarter, round_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(coachdev, world):
    asked()
    answer(round_of(coachdev.programme, world.cora), [3, 4, 4])
    close_quarter()
    return round_of(coachdev.programme, world.cora)


def test_who_opens_coras_feedback_pages(shown, coachdev, world, signed_in, client):
    for reader in (world.cora, coachdev.lola, world.ada):
        signed_in(reader)
        assert client.get(f"/coaches/{world.cora.pk}/feedback/").status_code == 200, reader
        assert client.get(f"/coaches/feedback/rounds/{shown.pk}/").status_code == 200, reader
        assert client.get(f"/api/feedback-rounds/{shown.pk}").status_code == 200, reader
    for outsider in (world.tom, coachdev.carl, world.lena, world.dan, world.bea):
        signed_in(outsider)
        assert client.get(f"/coaches/{world.cora.pk}/feedback/").status_code == 404, outsider
        assert client.get(f"/coaches/feedback/rounds/{shown.pk}/").status_code == 404, outsider
        assert client.get(f"/api/feedback-rounds/{shown.pk}").status_code == 404, outsider
        assert client.get(f"/api/coaches/{world.cora.pk}/feedback").status_code == 404, outsider


def test_coras_list_shows_the_round_with_scores(shown, world, signed_in, client):
    signed_in(world.cora)
    body = client.get(f"/coaches/{world.cora.pk}/feedback/").content.decode()
    assert "Feedback on my coaching" in body
    assert "2026-Q4" in body
    assert "Closed" in body
    assert "3.67" in body  # every domain: (3 + 4 + 4) / 3
    assert "Reply with what you will change" in body


def test_cora_replies_on_the_round_page_and_a_refusal_keeps_her_text(
    shown, world, signed_in, client
):
    signed_in(world.cora)
    page = client.get(f"/coaches/feedback/rounds/{shown.pk}/").content.decode()
    assert 'name="text"' in page
    too_long = "x" * 4001
    refused = client.post(f"/coaches/feedback/rounds/{shown.pk}/", {"text": too_long})
    assert refused.status_code == 422
    assert too_long in refused.content.decode()
    assert not FeedbackReply.objects.exists()
    saved = client.post(
        f"/coaches/feedback/rounds/{shown.pk}/", {"text": "Clearer next steps each time."}
    )
    assert saved.status_code == 302
    after = client.get(saved["Location"]).content.decode()
    assert "Your reply is saved." in after
    assert "Clearer next steps each time." in after
    assert "Change my reply" in after


def test_ada_and_lola_read_but_cannot_reply(shown, coachdev, world, signed_in, client):
    feedback.reply(world.cora, shown, "Clearer next steps.")
    for reader in (world.ada, coachdev.lola):
        signed_in(reader)
        page = client.get(f"/coaches/feedback/rounds/{shown.pk}/").content.decode()
        assert "Clearer next steps." in page
        assert 'name="text"' not in page
        assert (
            client.post(f"/coaches/feedback/rounds/{shown.pk}/", {"text": "Mine"}).status_code
            == 403
        )
        api = client.put(
            f"/api/feedback-rounds/{shown.pk}/reply",
            {"text": "Mine"},
            content_type="application/json",
        )
        assert api.status_code == 403
    assert FeedbackReply.objects.get().text == "Clearer next steps."


def test_tom_sees_coras_reply(shown, world, signed_in, client):
    feedback.reply(world.cora, shown, "Shorter meetings.")
    signed_in(world.tom)
    page = client.get("/coaches/feedback/replies/").content.decode()
    assert "Shorter meetings." in page
    assert str(world.cora) in page
    [reply] = client.get("/api/feedback-replies").json()
    assert reply["text"] == "Shorter meetings."
    signed_in(world.lena)
    assert "No reply yet." in client.get("/coaches/feedback/replies/").content.decode()


def test_the_api_reply_and_its_refusals(shown, coachdev, world, signed_in, client):
    signed_in(world.cora)
    url = f"/api/feedback-rounds/{shown.pk}/reply"
    empty = client.put(url, {"text": " "}, content_type="application/json")
    assert empty.status_code == 400
    assert empty.json()["errors"] == [{"field": "text", "message": "Write what you will change."}]
    ok = client.put(url, {"text": "Send the plan the same day."}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["text"] == "Send the plan the same day."
    rounds = client.get(f"/api/coaches/{world.cora.pk}/feedback").json()
    mine = next(r for r in rounds if r["id"] == shown.pk)
    assert mine["reply"]["text"] == "Send the plan the same day."
    assert mine["overall"] == pytest.approx(3.667)
    carl = round_of(coachdev.programme, coachdev.carl)
    signed_in(coachdev.carl)
    withheld = client.put(
        f"/api/feedback-rounds/{carl.pk}/reply", {"text": "x"}, content_type="application/json"
    )
    assert withheld.status_code == 409


def test_the_programme_page_chart_table_and_exports(shown, coachdev, world, signed_in, client):
    signed_in(world.ada)
    url = f"/programmes/{coachdev.programme.pk}/coach-feedback/"
    body = client.get(url).content.decode()
    assert "Across coaches" in body
    assert "<svg" in body
    assert "3.67" in body
    assert "not shown" in body  # Carl
    searched = client.get(url, {"q": "nobody-like-this"}).content.decode()
    assert "No coach matches this search." in searched
    csv = client.get(url, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].endswith("2026-Q4")
    assert lines[1].endswith("3.67")
    assert lines[2].endswith("1")
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    assert client.get(url, {"format": "pdf"}).status_code == 400
    for outsider in (world.cora, coachdev.lola, world.tom, world.bea):
        signed_in(outsider)
        assert client.get(url).status_code == 404, outsider
        assert (
            client.get(f"/api/programmes/{coachdev.programme.pk}/coach-feedback").status_code == 404
        )


def test_an_open_round_shows_its_response_rate_and_no_results(coachdev, world, signed_in, client):
    asked()
    cora = round_of(coachdev.programme, world.cora)
    answer(cora, [4, 4, 4, 4])
    section = feedback.feedback_section(world.cora, world.cora)
    assert section["latest"] is None
    assert section["open"].response_rate == 80
    signed_in(world.cora)
    body = client.get(f"/coaches/feedback/rounds/{cora.pk}/").content.decode()
    assert "Results appear when the survey closes with at least 3 answers." in body
    assert "4.00" not in body
    assert 'name="text"' not in body


def test_the_development_page_section(shown, world):
    feedback.reply(world.cora, shown, "Shorter meetings.")
    section = feedback.feedback_section(world.ada, world.cora)
    assert section["latest"].round == shown
    assert section["latest"].reply.text == "Shorter meetings."
    assert section["trend"].latest == pytest.approx(11 / 3)
    from django.template.loader import render_to_string

    html = render_to_string("coaches/_feedback_section.html", {"section": section})
    assert "Coaching-experience feedback" in html
    assert "Shorter meetings." in html
    assert "3.67" in html


def test_a_coachees_engagement_page_leads_to_the_coaches_replies(coachdev, world, signed_in):
    engagement = coachdev.engagements[0]  # Cora coaches Tom; the playbook asks for feedback
    page = signed_in(world.tom).get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'href="/coaches/feedback/replies/"' in page
    sponsor_page = signed_in(world.lena).get(f"/engagements/{engagement.pk}/").content.decode()
    assert 'href="/coaches/feedback/replies/"' not in sponsor_page
