"""Administrations through services, pages and the API: create from an engagement (the
school's staff invited, emails after commit), printed links shown once, reminders that tell
nobody who has not answered, close early and extend (a closed survey never reopens), the
response rate, and the rule that no page, API field or query joins an invitation to a response."""

import datetime
import re

import pytest
from django.db import models
from django.utils import timezone

from coachloop.access.models import AuditEvent
from coachloop.engagements.models import StepProgress, StepStatus
from coachloop.lib.errors import DomainError
from coachloop.surveys import services, tokens
from coachloop.surveys.models import (
    Administration,
    Answer,
    Comment,
    Draft,
    Invitation,
    Response,
)
from coachloop.testing.api import Api

TODAY = timezone.localdate()


def create(lfl, actor=None, **kwargs):
    args = {
        "actor": actor or lfl.engagement.participants.get(role="coach").user,
        "engagement": lfl.engagement,
        "instrument": lfl.instrument,
        "opens_on": TODAY,
        "closes_on": TODAY + datetime.timedelta(days=14),
    } | kwargs
    return services.administration_create(**args)


def answer(token, value=4):
    invitation = services.invitation_for(token)
    spec = invitation.administration.spec
    values = {item.key: value for item in spec.items_for(invitation.role)}
    services.submit(token=token, values=values, comments={})


def link_token(invitation):
    token = tokens.unseal(invitation.sealed_token)
    assert token is not None
    return token


# --- Create ---------------------------------------------------------------------------------------


def test_the_coach_starts_a_school_survey_and_every_staff_member_gets_a_working_link(
    lfl, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = create(lfl, actor=world.cora)
    adm = created.administration
    invitations = list(Invitation.objects.filter(administration=adm))
    by_email = {i.email: i.role for i in invitations}
    assert by_email[world.lena.email] == "leader"
    assert by_email[world.tom.email] == "teacher"
    assert by_email[world.sam.email] == "staff"
    assert len(invitations) == len(lfl.respondents) == adm.invited_count == 14
    assert world.cora.email not in by_email  # the coach is not school staff
    assert adm.roles == ["teacher", "staff", "leader"]
    assert adm.visibility == "sponsors"  # the playbook's default for reports
    assert len(mailoutbox) == 14
    mail = next(m for m in mailoutbox if m.to == [world.tom.email])
    token = re.search(r"/s/([A-Za-z0-9_-]+)/", mail.body).group(1)
    tom = Invitation.objects.get(administration=adm, email=world.tom.email)
    assert tom.token_hash == tokens.token_hash(token)
    assert link_token(tom) == token  # sealed: a reminder resends the same link
    assert tom.sent_at is not None
    assert "anonymous" in mail.body
    assert AuditEvent.objects.filter(action="survey.create", target_id=str(adm.pk)).exists()


def test_chosen_roles_invite_only_those_staff(lfl):
    adm = create(lfl, roles=["teacher"]).administration
    assert set(Invitation.objects.filter(administration=adm).values_list("role", flat=True)) == {
        "teacher"
    }
    assert adm.invited_count == 9


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"roles": ["teacher", "peer"]}, "roles"),
        ({"closes_on": TODAY - datetime.timedelta(days=1)}, "closes_on"),
        (
            {
                "opens_on": TODAY + datetime.timedelta(days=10),
                "closes_on": TODAY + datetime.timedelta(days=5),
            },
            "closes_on",
        ),
        ({"raters": [services.Rater("x@a.test", "supervisor")]}, "raters"),
        ({"printable": {"self": 3}}, "printable_role"),
        ({"visibility": "everyone"}, "visibility"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(lfl, kwargs, field):
    with pytest.raises(DomainError) as refused:
        create(lfl, **kwargs)
    assert field in refused.value.errors
    assert not Administration.objects.exists()
    assert not Invitation.objects.exists()


def test_rater_lines_name_each_bad_line():
    with pytest.raises(DomainError) as refused:
        services.parse_raters("a@b.test, peer\nnot-an-email, peer\na@b.test, staff\nlonely")
    message = refused.value.errors["raters"]
    assert "Line 2" in message
    assert "Line 3" in message
    assert "Line 4" in message
    assert "Line 1" not in message


def test_a_360_invites_the_subject_as_self_and_the_typed_raters(lfl, world):
    from coachloop.surveys.models import Instrument

    instrument = Instrument.objects.get(organisation=None, key="leader-360")
    with pytest.raises(DomainError) as refused:
        create(lfl, instrument=instrument)
    assert "subject" in refused.value.errors
    raters = services.parse_raters("sup@x.test, supervisor\npeer1@x.test, peer, Pat Peer")
    adm = create(lfl, instrument=instrument, subject=world.lena, raters=raters).administration
    rows = {i.email: i.role for i in Invitation.objects.filter(administration=adm)}
    assert rows == {world.lena.email: "self", "sup@x.test": "supervisor", "peer1@x.test": "peer"}


def test_a_resurvey_gives_again_a_closed_survey_of_the_same_instrument(lfl, world):
    first = create(lfl).administration
    with pytest.raises(DomainError) as refused:
        create(lfl, previous=first)  # still open
    assert "previous" in refused.value.errors
    services.administration_close(actor=world.cora, administration=first)
    again = create(lfl, previous=first).administration
    assert again.previous == first


def test_only_the_coach_and_administrators_start_surveys(lfl, world, signed_in):
    url = f"/engagements/{lfl.engagement.pk}/surveys/new/"
    assert signed_in(world.lena).get(url).status_code == 403  # a coachee
    assert signed_in(world.bea).get(url).status_code == 404  # another tenant
    with pytest.raises(DomainError) as refused:
        create(lfl, actor=world.lena)
    assert refused.value.status == 403


# --- Pages ----------------------------------------------------------------------------------------


def test_the_create_page_defaults_to_the_playbooks_instrument_and_creates(
    lfl, world, signed_in, mailoutbox, django_capture_on_commit_callbacks
):
    client = signed_in(world.cora)
    url = f"/engagements/{lfl.engagement.pk}/surveys/new/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{lfl.instrument.pk}" selected>' in html
    bad = client.post(url, {"instrument": lfl.instrument.pk, "opens_on": "", "visibility": "x"})
    assert bad.status_code == 422
    assert "Please fix the following" in bad.content.decode()
    data = {
        "instrument": lfl.instrument.pk,
        "title": "Autumn survey",
        "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
        "roles": ["teacher", "staff", "leader"],
        "visibility": "sponsors",
        "printable_role": "staff",
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, data)
    adm = Administration.objects.get(title="Autumn survey")
    assert done.status_code == 302
    assert done["Location"] == f"/surveys/{adm.pk}/"
    assert len(mailoutbox) == 14
    detail = client.get(done["Location"]).content.decode()
    assert "0 of 14 invited have answered" in detail
    assert world.tom.email in detail


def test_printed_links_are_shown_once_with_qr_codes(lfl, world, signed_in):
    client = signed_in(world.cora)
    adm = create(lfl).administration
    shown = client.post(f"/surveys/{adm.pk}/print/", {"role": "staff", "count": "3"})
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    html = shown.content.decode()
    found = re.findall(r"/s/([A-Za-z0-9_-]{43})/", html)
    assert len(set(found)) == 3
    assert html.count("<svg") == 3
    assert "cannot be shown again" in html
    printed = Invitation.objects.filter(administration=adm, email="")
    assert printed.count() == 3
    assert all(i.sealed_token == "" for i in printed)  # never sealed: only on paper
    assert {i.token_hash for i in printed} == {tokens.token_hash(t) for t in found}
    adm.refresh_from_db()
    assert adm.invited_count == 17
    detail = client.get(f"/surveys/{adm.pk}/").content.decode()
    for token in found:
        assert token not in detail
    assert "Other staff: 3" in detail or "staff: 3" in detail.lower()
    assert (
        client.post(f"/surveys/{adm.pk}/print/", {"role": "self", "count": "2"}).status_code == 422
    )


def test_the_list_shows_what_the_user_may_see_with_search(lfl, world, signed_in):
    create(lfl, title="Oak spring survey")
    page = signed_in(world.cora).get("/surveys/", {"q": "spring"}).content.decode()
    assert "Oak spring survey" in page
    assert "0 of 14 (0%)" in page
    assert (
        "Oak spring survey"
        not in signed_in(world.cora).get("/surveys/", {"q": "zzz"}).content.decode()
    )
    assert "Oak spring survey" not in signed_in(world.bea).get("/surveys/").content.decode()


def test_a_school_leader_reads_the_rate_but_does_not_run_the_survey(lfl, world, signed_in):
    adm = create(lfl).administration
    client = signed_in(world.lena)
    page = client.get(f"/surveys/{adm.pk}/").content.decode()
    assert "Response rate" in page
    assert "Send reminders" not in page
    assert client.post(f"/surveys/{adm.pk}/remind/").status_code == 403
    assert client.post(f"/surveys/{adm.pk}/close/").status_code == 403
    assert signed_in(world.bea).get(f"/surveys/{adm.pk}/").status_code == 404


# --- Running it -----------------------------------------------------------------------------------


def test_reminders_go_only_to_those_who_have_not_answered_and_say_nothing_of_who(
    lfl, world, signed_in, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adm = create(lfl).administration
    tom = Invitation.objects.get(administration=adm, email=world.tom.email)
    answer(link_token(tom))
    mailoutbox.clear()
    later = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.reminders_send(actor=world.cora, administration=adm, now=later)
    assert queued == 13
    assert len(mailoutbox) == 13
    assert world.tom.email not in {m.to[0] for m in mailoutbox}
    sam = next(m for m in mailoutbox if m.to == [world.sam.email])
    assert link_token(Invitation.objects.get(administration=adm, email=world.sam.email)) in sam.body
    # At most one a day per invitation.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reminders_send(
            actor=world.cora, administration=adm, now=later + datetime.timedelta(hours=3)
        )
    assert again == 0
    # The page says only that reminders went out.
    client = signed_in(world.cora)
    done = client.post(f"/surveys/{adm.pk}/remind/", follow=True)
    html = done.content.decode()
    assert "Reminders sent." in html
    assert not re.search(r"\b13\b", html.split("Response rate")[0])
    audit = AuditEvent.objects.filter(action="survey.remind").first()
    assert audit is not None
    assert audit.data == {}


def test_close_early_completes_the_survey_step_and_a_closed_survey_never_reopens(
    lfl, world, signed_in
):
    adm = create(lfl).administration
    client = signed_in(world.cora)
    confirm = client.get(f"/surveys/{adm.pk}/close/")
    assert "Close the survey now?" in confirm.content.decode()
    done = client.post(f"/surveys/{adm.pk}/close/", follow=True)
    assert "Survey closed. Its report is final." in done.content.decode()
    adm.refresh_from_db()
    assert adm.closed_at is not None
    step = StepProgress.objects.get(engagement=lfl.engagement, step_key="survey")
    assert step.status == StepStatus.DONE
    assert AuditEvent.objects.filter(action="survey.close", target_id=str(adm.pk)).exists()
    with pytest.raises(DomainError) as refused:
        services.administration_extend(
            actor=world.cora, administration=adm, closes_on=TODAY + datetime.timedelta(days=30)
        )
    assert refused.value.status == 409
    assert "never reopens" in refused.value.message
    with pytest.raises(DomainError):
        services.administration_close(actor=world.cora, administration=adm)


def test_extend_moves_the_close_date_later_only(lfl, world, signed_in):
    adm = create(lfl).administration
    client = signed_in(world.cora)
    earlier = client.post(
        f"/surveys/{adm.pk}/extend/",
        {"closes_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
    )
    assert earlier.status_code == 422
    assert "Choose a day after the current close date" in earlier.content.decode()
    later = TODAY + datetime.timedelta(days=30)
    ok = client.post(f"/surveys/{adm.pk}/extend/", {"closes_on": later.isoformat()}, follow=True)
    assert "Close date changed." in ok.content.decode()
    adm.refresh_from_db()
    assert adm.closes_on == later


def test_close_due_closes_what_has_passed_and_completes_the_step(lfl, world):
    adm = create(lfl).administration
    assert services.close_due(today=adm.closes_on) == 0
    assert services.close_due(today=adm.closes_on + datetime.timedelta(days=1)) == 1
    adm.refresh_from_db()
    assert adm.is_closed
    step = StepProgress.objects.get(engagement=lfl.engagement, step_key="survey")
    assert step.status == StepStatus.DONE
    assert services.close_due(today=adm.closes_on + datetime.timedelta(days=2)) == 0


def test_the_response_rate_counts_answers_for_the_whole_survey(lfl, world, signed_in):
    adm = create(lfl).administration
    for email in (world.tom.email, world.sam.email):
        answer(link_token(Invitation.objects.get(administration=adm, email=email)))
    adm.refresh_from_db()
    assert (adm.response_count, adm.invited_count) == (2, 14)
    html = signed_in(world.cora).get(f"/surveys/{adm.pk}/").content.decode()
    assert "2 of 14 invited have answered." in html
    assert "14%" in html


# --- No join --------------------------------------------------------------------------------------


def test_no_column_of_a_response_answer_or_comment_can_join_an_invitation():
    for model in (Response, Answer, Comment):
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                assert field.related_model.__name__ not in ("Invitation", "User", "Draft"), (
                    f"{model.__name__}.{field.name}"
                )
                assert field.related_model.__name__ in ("Administration", "Response", "Answer")
            assert not isinstance(field, models.DateTimeField | models.DateField), (
                f"{model.__name__}.{field.name} would order answers in time"
            )
    # A response's id is random, so its order says nothing either.
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Comment._meta.pk, models.UUIDField)


def test_after_answers_the_invitee_list_page_and_api_show_no_answered_state(
    lfl, world, client, signed_in
):
    adm = create(lfl).administration
    api = Api(client, world.cora)
    before_api = api.get(f"/api/surveys/{adm.pk}").json()
    page = signed_in(world.cora).get(f"/surveys/{adm.pk}/").content.decode()
    before_list = page.split('id="invitees-heading"')[1]
    tom = Invitation.objects.get(administration=adm, email=world.tom.email)
    token = link_token(tom)
    answer(token)
    after_api = api.get(f"/api/surveys/{adm.pk}").json()
    assert after_api["invitations"] == before_api["invitations"]
    assert set(after_api["invitations"][0]) == {"name", "email", "role"}
    after = signed_in(world.cora).get(f"/surveys/{adm.pk}/").content.decode()
    assert after.split('id="invitees-heading"')[1] == before_list
    # Nothing the submission wrote mentions the invitation or its token.
    assert Response.objects.filter(administration=adm).count() == 1
    assert not Draft.objects.exists()
    assert not AuditEvent.objects.filter(data__icontains=token).exists()
    assert not AuditEvent.objects.filter(target_type="surveys.response").exists()


# --- API ------------------------------------------------------------------------------------------


def test_the_api_runs_an_administration_with_the_same_rules(lfl, world, client):
    cora = Api(client, world.cora)
    base = f"/api/engagements/{lfl.engagement.pk}/surveys"
    bad = cora.post(
        base,
        {
            "instrument_id": lfl.instrument.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": TODAY.isoformat(),
            "roles": ["peer"],
        },
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "roles"
    made = cora.post(
        base,
        {
            "instrument_id": lfl.instrument.pk,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
            "printable": {"teacher": 2},
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    adm_id = body["administration"]["id"]
    assert body["administration"]["response_rate"] == {"answered": 0, "invited": 16, "percent": 0}
    assert len(body["links"]) == 2
    assert all("/s/" in link["url"] for link in body["links"])
    listed = cora.get("/api/surveys").json()
    assert [row["id"] for row in listed["items"]] == [adm_id]
    detail = cora.get(f"/api/surveys/{adm_id}").json()
    assert detail["printed"] == {"teacher": 2}
    assert "links" not in detail
    more = cora.post(
        f"/api/surveys/{adm_id}/invitations", {"raters": [{"email": "new@x.test", "role": "staff"}]}
    )
    assert more.status_code == 201
    assert more.json()["response_rate"]["invited"] == 17
    links = cora.post(f"/api/surveys/{adm_id}/printed-links", {"role": "staff", "count": 1})
    assert links.status_code == 201
    assert len(links.json()) == 1
    assert cora.post(f"/api/surveys/{adm_id}/reminders").json() == {"detail": "Reminders sent."}
    ext = cora.post(
        f"/api/surveys/{adm_id}/extend",
        {"closes_on": (TODAY + datetime.timedelta(days=9)).isoformat()},
    )
    assert ext.status_code == 200
    assert ext.json()["closes_on"] == (TODAY + datetime.timedelta(days=9)).isoformat()
    assert Api(client, world.lena).post(f"/api/surveys/{adm_id}/close").status_code == 403
    assert Api(client, world.bea).get(f"/api/surveys/{adm_id}").status_code == 404
    closed = cora.post(f"/api/surveys/{adm_id}/close")
    assert closed.json()["status"] == "closed"
    again = cora.post(
        f"/api/surveys/{adm_id}/extend",
        {"closes_on": (TODAY + datetime.timedelta(days=20)).isoformat()},
    )
    assert again.status_code == 409
