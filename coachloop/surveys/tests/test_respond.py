"""The anonymous respondent flow through the test client: pages with a saved, encrypted draft;
one answer per link; answers outside the scale refused with nothing written; closed, not yet
open and unknown links; headers and logs that keep the token to itself; and, for any sequence
of submissions, waves of k and at most one answer per invitation (hypothesis)."""

import datetime
import logging

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.access.models import AuditEvent
from coachloop.lib.errors import DomainError
from coachloop.surveys import services, tokens
from coachloop.surveys.models import (
    Administration,
    Answer,
    Comment,
    Draft,
    Instrument,
    Invitation,
    Response,
)

TODAY = timezone.localdate()


def open_survey(lfl, printed=6, role="teacher", instrument=None, **kwargs):
    """A survey at Oak with `printed` printed links for `role`; returns it and the tokens."""
    created = services.administration_create(
        actor=lfl.engagement.participants.get(role="coach").user,
        engagement=lfl.engagement,
        instrument=instrument or lfl.instrument,
        opens_on=kwargs.pop("opens_on", TODAY),
        closes_on=kwargs.pop("closes_on", TODAY + datetime.timedelta(days=14)),
        printable={role: printed},
        **kwargs,
    )
    return created.administration, [p.token for p in created.printed]


def written(adm):
    return (
        Response.objects.filter(administration=adm).count(),
        Answer.objects.filter(administration=adm).count(),
        Comment.objects.filter(administration=adm).count(),
    )


# --- The whole flow -------------------------------------------------------------------------------


def test_a_respondent_answers_page_by_page_with_an_encrypted_draft_and_submits(lfl, client):
    adm, (token, other, *_rest) = open_survey(lfl)
    spec = adm.spec
    pages = services.pages_for(spec, "teacher")
    assert len(pages) == 6  # five domains, then the free-text questions
    welcome = client.get(f"/s/{token}/")
    assert welcome.status_code == 200
    html = welcome.content.decode()
    assert spec.introduction[:40] in html
    assert "Your answers are anonymous" in html
    assert welcome["Cache-Control"] == "no-store"
    assert welcome["Referrer-Policy"] == "no-referrer"
    assert not welcome.cookies  # no session, no CSRF cookie: nothing to tie visits together

    first = client.get(f"/s/{token}/1/")
    html = first.content.decode()
    assert "Page 1 of 6" in html
    assert "Focus on learning" in html
    assert "Strongly agree" in html
    assert "Don&#x27;t know" in html or "Don't know" in html
    data = {f"item-{i.key}": "4" for i in pages[0].items}
    data["item-focus-goals"] = "na"
    data["go"] = "next"
    saved = client.post(f"/s/{token}/1/", data)
    assert saved.status_code == 302
    assert saved["Location"] == f"/s/{token}/2/"

    # The draft is encrypted: no answer or item in clear, and another link's key can't open it.
    draft = Draft.objects.get(invitation__token_hash=tokens.token_hash(token))
    assert "focus" not in draft.ciphertext
    with pytest.raises(tokens.DraftUnreadable):
        tokens.decrypt_draft(other, draft.ciphertext)
    assert tokens.decrypt_draft(token, draft.ciphertext)["values"]["focus-talk"] == 4

    # Restored on coming back, the "Don't know" included.
    back = client.get(f"/s/{token}/1/").content.decode()
    assert 'id="item-focus-talk-3" name="item-focus-talk" value="4" checked' in back
    assert 'name="item-focus-goals" value="na" checked' in back
    assert "Continue where you left off" in client.get(f"/s/{token}/").content.decode()

    # Back and forward: "back" saves and goes to the previous page.
    two = {f"item-{i.key}": "3" for i in pages[1].items} | {"go": "back"}
    assert client.post(f"/s/{token}/2/", two)["Location"] == f"/s/{token}/1/"
    for page in pages[1:5]:
        answers = {f"item-{i.key}": "5" for i in page.items} | {"go": "next"}
        assert client.post(f"/s/{token}/{page.number}/", answers).status_code == 302
    last = client.post(
        f"/s/{token}/6/",
        {"q-strength": "  Clear goals  ", "q-change": "", "go": "next"},
    )
    assert last["Location"] == f"/s/{token}/review/"
    review = client.get(f"/s/{token}/review/").content.decode()
    assert "Review and send" in review
    assert "Clear goals" in review
    assert "1 question has no answer" in review

    sent = client.post(f"/s/{token}/review/")
    assert sent.status_code == 302
    assert sent["Location"] == "/s/thanks/"
    assert "Thank you" in client.get("/s/thanks/").content.decode()

    response = Response.objects.get(administration=adm)
    assert response.role == "teacher"
    assert response.wave == 0
    assert response.domains["focus"] == [20, 5, 6]  # five 4s; "Don't know" scores nothing
    assert response.domains["monitoring"] == [30, 6, 6]
    assert Answer.objects.filter(response=response).count() == len(spec.items_for("teacher"))
    assert Answer.objects.get(response=response, item="focus-goals").value is None
    assert list(Comment.objects.filter(administration=adm).values_list("text", flat=True)) == [
        "Clear goals"
    ]
    assert not Draft.objects.exists()
    assert Invitation.objects.get(token_hash=tokens.token_hash(token)).used
    adm.refresh_from_db()
    assert adm.response_count == 1
    assert (
        not AuditEvent.objects.filter(action__startswith="survey.")
        .exclude(action="survey.create")
        .exists()
    )


def test_a_link_answers_once(lfl, client):
    adm, (token, *_rest) = open_survey(lfl)
    services.submit(token=token, values={"focus-goals": 3}, comments={})
    before = written(adm)
    again = client.post(f"/s/{token}/review/")
    assert again.status_code == 410
    assert "already been used; each link answers once" in again.content.decode()
    assert client.get(f"/s/{token}/").status_code == 410
    assert client.post(f"/s/{token}/1/", {"item-focus-goals": "5"}).status_code == 410
    with pytest.raises(DomainError) as refused:
        services.submit(token=token, values={"focus-goals": 5}, comments={})
    assert refused.value.status == 410
    assert written(adm) == before
    adm.refresh_from_db()
    assert adm.response_count == 1


def test_an_answer_outside_the_scale_writes_nothing_and_keeps_what_was_typed(lfl, client):
    adm, (token, *_rest) = open_survey(lfl)
    client.post(f"/s/{token}/1/", {"item-focus-goals": "2", "go": "next"})
    bad = client.post(
        f"/s/{token}/1/",
        {"item-focus-goals": "5", "item-focus-talk": "9", "item-focus-decisions": "zero"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Some answers need another look" in html
    assert "Choose one of the answers given" in html
    assert 'name="item-focus-goals" value="5" checked' in html  # what they typed, kept
    draft = services.draft_load(Invitation.objects.get(token_hash=tokens.token_hash(token)), token)
    assert draft.values == {"focus-goals": 2}  # nothing of the bad post was saved
    with pytest.raises(DomainError) as refused:
        services.submit(token=token, values={"focus-goals": 6, "focus-talk": 3}, comments={})
    assert refused.value.status == 400
    assert "focus-goals" in refused.value.errors
    with pytest.raises(DomainError):
        services.submit(token=token, values={"not-an-item": 3}, comments={})
    with pytest.raises(DomainError):
        services.submit(token=token, values={}, comments={"change": "x" * 2001})
    assert written(adm) == (0, 0, 0)
    assert not Invitation.objects.get(token_hash=tokens.token_hash(token)).used


def test_a_closed_survey_takes_no_answers(lfl, world, client):
    adm, (token, *_rest) = open_survey(lfl)
    client.post(f"/s/{token}/1/", {"item-focus-goals": "2", "go": "next"})
    services.administration_close(actor=world.cora, administration=adm)
    assert not Draft.objects.exists()  # unfinished answers are not kept
    page = client.get(f"/s/{token}/")
    assert page.status_code == 410
    assert "This survey closed on" in page.content.decode()
    assert client.post(f"/s/{token}/review/").status_code == 410
    assert written(adm) == (0, 0, 0)


def test_a_survey_not_yet_open_says_when_it_opens(lfl, client):
    opens = TODAY + datetime.timedelta(days=3)
    _adm, (token, *_rest) = open_survey(
        lfl, opens_on=opens, closes_on=opens + datetime.timedelta(days=7)
    )
    page = client.get(f"/s/{token}/1/")
    assert page.status_code == 409
    assert "This survey opens on" in page.content.decode()


def test_an_unknown_link_is_not_found_and_no_log_line_carries_a_token(lfl, client, caplog):
    _adm, (token, *_rest) = open_survey(lfl)
    unknown = tokens.new_token()
    with caplog.at_level(logging.DEBUG):
        missing = client.get(f"/s/{unknown}/")
        mangled = client.get(f"/s/{token[:-3]}/2/")
        services.submit(token=token, values={"focus-goals": 3}, comments={})
        used = client.get(f"/s/{token}/")
    assert missing.status_code == 404
    assert "This link is not valid" in missing.content.decode()
    assert mangled.status_code == 404
    assert used.status_code == 410
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert unknown not in text
        assert token[:-3] not in text


def test_the_subject_of_a_360_answers_as_self_in_their_own_words_outside_the_waves(lfl, world):
    instrument = Instrument.objects.get(organisation=None, key="leader-360")
    adm, tokens_ = open_survey(
        lfl, instrument=instrument, role="peer", printed=5, subject=world.lena
    )
    spec = adm.spec
    self_invitation = Invitation.objects.get(administration=adm, role="self")
    self_token = tokens.unseal(self_invitation.sealed_token)
    pages = services.pages_for(spec, "self")
    with_self_text = [i for p in pages for i in p.items if i.self_text]
    assert with_self_text  # the instrument words some items for the subject
    for token in tokens_:
        services.submit(token=token, values={spec.items_for("peer")[0].key: 3}, comments={})
    services.submit(token=self_token, values={spec.items_for("self")[0].key: 4}, comments={})
    waves = sorted((r.role, r.wave) for r in Response.objects.filter(administration=adm))
    assert waves == [("peer", 0)] * 5 + [("self", None)]


# --- For any sequence of submissions --------------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=25),
)
def test_waves_are_blocks_of_k_and_each_invitation_answers_at_most_once(lfl, order):
    adm, links = open_survey(lfl, printed=12)
    k = adm.spec.k
    accepted = []
    for index in order:
        refused = None
        try:
            services.submit(token=links[index], values={"focus-goals": 1 + index % 5}, comments={})
        except DomainError as error:
            refused = error
        if refused is not None:
            assert refused.status == 410
            assert index in accepted
        else:
            assert index not in accepted
            accepted.append(index)
    waves = sorted(Response.objects.filter(administration=adm).values_list("wave", flat=True))
    assert waves == [i // k for i in range(len(accepted))]
    adm.refresh_from_db()
    assert adm.response_count == len(accepted) == len(set(order))
    assert Invitation.objects.filter(administration=adm, used=True).count() == len(accepted)
    Administration.objects.filter(pk=adm.pk).delete()
