"""The meeting pages: scheduling one of the playbook's meeting types, minutes stage by stage,
holding a meeting completes its step, and the minutes stay confidential content."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coachloop.engagements.models import StepStatus
from coachloop.meetings import services
from coachloop.meetings.models import Meeting, MeetingStatus

pytestmark = pytest.mark.django_db


def local_input(moment):
    """A datetime as a datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def held_yesterday(world):
    return services.meeting_schedule(
        actor=world.cora,
        engagement=world.engagement,
        meeting_type="orientation",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        mode="in_person",
        location="Oak, room 4",
    )


def schedule(client, engagement, **data):
    fields = {"meeting_type": "orientation", "mode": "in_person", "location": "", "minutes": ""}
    return client.post(reverse("meeting_list", args=[engagement.pk]), {**fields, **data})


def test_the_coach_schedules_a_meeting_of_the_playbook(world, signed_in):
    engagement = world.engagement
    cora = signed_in(world.cora)
    html = cora.get(
        reverse("meeting_list", args=[engagement.pk]), {"type": "feedback-session"}
    ).content.decode()
    assert '<option value="feedback-session" selected>' in html
    assert "No meetings yet." in html

    when = timezone.now() + datetime.timedelta(days=3)
    response = schedule(cora, engagement, starts_at=local_input(when), mode="video", minutes="50")
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.meeting_type, meeting.mode, meeting.minutes) == ("orientation", "video", 50)
    html = cora.get(reverse("meeting_list", args=[engagement.pk])).content.decode()
    assert "Orientation meeting" in html
    assert "Video" in html
    assert "Planned" in html


def test_a_meeting_before_the_start_or_in_an_unknown_mode_is_explained(world, signed_in):
    engagement = world.engagement
    cora = signed_in(world.cora)
    response = schedule(cora, engagement, starts_at="2026-08-20T10:00", location="Room 4")
    assert response.status_code == 422
    html = response.content.decode()
    assert "The meeting can&#x27;t be before the engagement starts" in html
    assert 'value="Room 4"' in html
    response = schedule(cora, engagement, starts_at="2026-10-20T10:00", mode="carrier-pigeon")
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    response = schedule(cora, engagement, starts_at="")
    assert response.status_code == 422
    assert "Enter when the meeting starts." in response.content.decode()
    response = schedule(cora, engagement, starts_at="2026-10-20T10:00", meeting_type="party")
    assert response.status_code == 422
    assert not Meeting.objects.exists()


def test_the_sponsor_does_not_schedule_meetings(world, signed_in):
    lena = signed_in(world.lena)
    url = reverse("meeting_list", args=[world.engagement.pk])
    assert "Plan a meeting" not in lena.get(url).content.decode()
    response = schedule(lena, world.engagement, starts_at="2026-10-20T10:00")
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_minutes_by_stage_and_holding_the_meeting_completes_the_orientation_step(
    world, signed_in, held_yesterday
):
    meeting = held_yesterday
    cora = signed_in(world.cora)
    html = cora.get(meeting.get_absolute_url()).content.decode()
    assert "The coaching process (15 minutes)" in html
    assert "Walk through Pre-coaching, Plan, Do, Check and Act." in html  # the prompt as help
    assert "minute 10 to 25" in html  # the stage's timing
    assert "The meeting took place" in html
    stages = {f"stage_{i}": f"Stage {i} discussed" for i in range(len(meeting.agenda))}
    response = cora.post(
        meeting.get_absolute_url(),
        {**stages, "summary": "Everyone knows the process.", "visibility": "team", "held": "on"},
        follow=True,
    )
    assert "Minutes saved; the meeting is marked as held." in messages_of(response)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.stage_notes[1] == "Stage 1 discussed"
    step = world.engagement.steps.get(step_key="orientation")
    assert step.status == StepStatus.DONE
    # Tom, in the team, reads the minutes stage by stage.
    html = signed_in(world.tom).get(meeting.get_absolute_url()).content.decode()
    assert "Stage 3 discussed" in html
    assert "Everyone knows the process." in html


def test_a_future_meeting_cannot_be_marked_as_held(world, signed_in):
    meeting = services.meeting_schedule(
        actor=world.cora,
        engagement=world.engagement,
        meeting_type="planning",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        mode="phone",
    )
    response = signed_in(world.cora).post(
        meeting.get_absolute_url(),
        {"stage_0": "Prepared", "summary": "", "visibility": "team", "held": "on"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "A meeting can be marked as held once it has taken place." in html
    assert "Prepared" in html
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.stage_notes == ["", "", ""]


def test_an_administrator_sees_that_the_meeting_happened_but_not_its_minutes(
    world, signed_in, held_yesterday
):
    services.meeting_record(
        actor=world.cora,
        meeting=held_yesterday,
        stage_notes=["CONFIDENTIAL-STAGE-NOTE", "", "", "", ""],
        summary="CONFIDENTIAL-SUMMARY",
    )
    ada = signed_in(world.ada)
    listing = ada.get(reverse("meeting_list", args=[world.engagement.pk])).content.decode()
    assert "Orientation meeting" in listing
    assert "Held" in listing
    html = ada.get(held_yesterday.get_absolute_url()).content.decode()
    assert "Held" in html
    assert "Welcome and purpose" in html  # the agenda is the playbook's, not content
    assert "The minutes of this meeting are not shared with you." in html
    assert "CONFIDENTIAL-STAGE-NOTE" not in html
    assert "CONFIDENTIAL-SUMMARY" not in html
    assert "Write the minutes" not in html
    response = ada.post(
        held_yesterday.get_absolute_url(),
        {"stage_0": "overwritten", "summary": "", "visibility": "programme", "held": "on"},
    )
    assert response.status_code == 403
    held_yesterday.refresh_from_db()
    assert held_yesterday.stage_notes[0] == "CONFIDENTIAL-STAGE-NOTE"
    export = ada.get(reverse("engagement_export", args=[world.engagement.pk])).content.decode()
    assert "Orientation meeting" in export
    assert "CONFIDENTIAL-STAGE-NOTE" not in export
    assert "CONFIDENTIAL-SUMMARY" not in export


def test_private_minutes_are_neither_shown_nor_overwritten_by_the_rest_of_the_team(
    world, signed_in, held_yesterday
):
    services.meeting_record(
        actor=world.cora,
        meeting=held_yesterday,
        stage_notes=["MY-OWN-NOTE", "", "", "", ""],
        summary="",
        visibility="private",
    )
    tom = signed_in(world.tom)
    html = tom.get(held_yesterday.get_absolute_url()).content.decode()
    assert "MY-OWN-NOTE" not in html
    assert "Write the minutes" not in html
    response = tom.post(
        held_yesterday.get_absolute_url(),
        {"stage_0": "", "summary": "", "visibility": "team", "held": "on"},
    )
    assert response.status_code == 403
    held_yesterday.refresh_from_db()
    assert held_yesterday.stage_notes[0] == "MY-OWN-NOTE"


def test_cancelling_asks_first_and_a_held_meeting_stays(world, signed_in, held_yesterday):
    cora = signed_in(world.cora)
    url = reverse("meeting_cancel", args=[world.engagement.pk, held_yesterday.pk])
    html = cora.get(url).content.decode()
    assert "Cancel this meeting?" in html
    response = cora.post(url, {"reason": ""})
    assert response.status_code == 422
    assert "Say why the meeting is cancelled" in response.content.decode()
    held_yesterday.refresh_from_db()
    assert held_yesterday.status == MeetingStatus.PLANNED
    response = cora.post(url, {"reason": "Tom is at a conference"}, follow=True)
    assert "“Orientation meeting” is cancelled." in messages_of(response)
    held_yesterday.refresh_from_db()
    assert held_yesterday.status == MeetingStatus.CANCELLED
    assert held_yesterday.reason == "Tom is at a conference"
    assert "Tom is at a conference" in response.content.decode()
    assert "Write the minutes" not in response.content.decode()

    other = services.meeting_schedule(
        actor=world.cora,
        engagement=world.engagement,
        meeting_type="orientation",
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        mode="phone",
    )
    services.meeting_record(
        actor=world.cora, meeting=other, stage_notes=[""] * len(other.agenda), summary="Done"
    )
    url = reverse("meeting_cancel", args=[world.engagement.pk, other.pk])
    response = cora.post(url, {"reason": "Too late"}, follow=True)
    assert "A meeting that was held can&#x27;t be cancelled." in response.content.decode()
    other.refresh_from_db()
    assert other.status == MeetingStatus.HELD
    # The sponsor does not cancel meetings.
    assert signed_in(world.lena).get(url).status_code == 403


def test_two_people_writing_the_minutes_never_overwrite_each_other(world, signed_in):
    import datetime as dt

    from django.utils import timezone as tz

    from coachloop.meetings import services as meeting_services

    meeting = meeting_services.meeting_schedule(
        actor=world.cora,
        engagement=world.engagement,
        meeting_type="orientation",
        starts_at=tz.now() - dt.timedelta(hours=2),
        mode="in_person",
    )
    stages = {f"stage_{i}": "" for i in range(len(meeting.agenda))}
    url = meeting.get_absolute_url()
    # Tom opened the minutes (revision 0); Cora saves first.
    meeting_services.meeting_record(
        actor=world.cora,
        meeting=meeting,
        stage_notes=["Cora's notes"] * len(meeting.agenda),
        summary="Cora's summary",
        base=0,
    )
    tom = signed_in(world.tom)
    typed = {**stages, "summary": "Tom's summary", "visibility": "team", "held": "on", "base": "0"}
    response = tom.post(url, typed)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone saved these minutes after you opened them" in page
    assert "Tom&#x27;s summary" in page or "Tom's summary" in page  # what he typed is kept
    meeting.refresh_from_db()
    assert meeting.summary == "Cora's summary"
    # Having read Cora's minutes, Tom saves again with the revision the page now carries.
    typed["base"] = str(meeting.revision)
    assert tom.post(url, typed).status_code == 302
    meeting.refresh_from_db()
    assert meeting.summary == "Tom's summary"
