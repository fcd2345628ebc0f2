"""Rules found by review of the playbook issue: each is something a user would notice."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from coachloop.engagements import selectors, services
from coachloop.feedback import services as feedback
from coachloop.lib.errors import DomainError
from coachloop.meetings import services as meetings
from coachloop.playbooks import schema
from coachloop.playbooks.answers import clean_answers
from coachloop.testing.personas import build_world


def test_a_step_note_is_team_content(world, signed_in):
    step = world.engagement.steps.get(step_key="plan-orientation")
    step.checklist_done = [True] * len(step.checklist_done)
    step.save()
    services.step_complete(actor=world.cora, step=step, note="Tom was anxious about Lena")
    url = world.engagement.get_absolute_url()
    assert "Tom was anxious" in signed_in(world.tom).get(url).content.decode()
    for reader in (world.lena, world.dan, world.ada):
        page = selectors.engagement_page(user=reader, engagement=world.engagement)
        assert all(v.note == "" for p in page.phases for v in p.steps)
        assert "Tom was anxious" not in signed_in(reader).get(url).content.decode()


def test_private_minutes_belong_to_who_wrote_them(world):
    meeting = meetings.meeting_schedule(
        actor=world.tom,
        engagement=world.engagement,
        meeting_type="orientation",
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        mode="in_person",
    )
    meetings.meeting_record(
        actor=world.cora,
        meeting=meeting,
        stage_notes=["x"] * len(meeting.agenda),
        summary="Cora's own reading of the meeting",
        visibility="private",
    )
    from coachloop.access import policy

    assert meeting in policy.meeting_minutes_visible_to(world.cora)
    assert meeting not in policy.meeting_minutes_visible_to(world.tom)
    assert meeting in policy.meetings_visible_to(world.tom)  # that it happened stays visible


def test_a_meeting_time_without_a_zone_is_read_in_the_servers_zone(world):
    naive = datetime.datetime(2026, 10, 1, 10, 0)
    meeting = meetings.meeting_schedule(
        actor=world.cora,
        engagement=world.engagement,
        meeting_type="orientation",
        starts_at=naive,
        mode="in_person",
    )
    assert timezone.is_aware(meeting.starts_at)


def test_the_programme_list_counts_only_engagements_the_reader_may_know_of(world):
    from coachloop.testing.factories import EngagementFactory

    EngagementFactory(programme=world.engagement.programme, organisation=world.elm)
    counts = {p.pk: p.engagement_count for p in selectors.programme_list(user=world.ada)}
    assert counts[world.engagement.programme_id] == 2
    counts = {p.pk: p.engagement_count for p in selectors.programme_list(user=world.tom)}
    assert counts[world.engagement.programme_id] == 1


def test_people_in_the_engagement_cannot_answer_its_anonymous_feedback(world, signed_in):
    collection = feedback.collection_open(
        actor=world.cora, engagement=world.engagement, form_key="participant-feedback"
    )
    answer = {"purpose": "4", "engagement": "3", "useful": "3"}
    client = signed_in(world.cora)
    response = client.post(f"/f/{collection.token}/", answer)
    assert response.status_code == 403
    assert collection.answers.count() == 0


def test_one_device_sends_a_few_answers_a_day_not_a_crowd(world, client):
    collection = feedback.collection_open(
        actor=world.cora, engagement=world.engagement, form_key="participant-feedback"
    )
    answer = {"purpose": "4", "engagement": "3", "useful": "3"}
    codes = [client.post(f"/f/{collection.token}/", answer).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert collection.answers.count() == 3
    other = client.post(f"/f/{collection.token}/", answer, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_bulk_list_with_a_broken_quote_gets_a_message_not_an_error(world):
    text = 'tom@a.test, "' + "x" * 200_000
    with pytest.raises(DomainError, match="could not be read"):
        services.engagements_bulk_create(
            actor=world.ada, programme=world.engagement.programme, text=text
        )


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "nan", "inf"])
def test_a_number_answer_must_be_a_finite_number(raw):
    form = schema.FormSpec(
        key="f", title="F", fields=[schema.FieldSpec(key="n", label="N", type="number")]
    )
    with pytest.raises(DomainError) as caught:
        clean_answers(form, {"n": raw})
    assert caught.value.errors == {"n": "Enter a number, for example 3 or 2.5."}
    assert clean_answers(form, {"n": "2.5"}) == {"n": 2.5}
    assert clean_answers(form, {"n": "3"}) == {"n": 3}


def test_a_completed_engagement_no_longer_changes(world):
    world.engagement.status = "completed"
    world.engagement.save()
    step = world.engagement.steps.first()
    with pytest.raises(DomainError, match="complete"):
        services.step_set_due(actor=world.cora, step=step, due_on=datetime.date(2026, 12, 1))
    with pytest.raises(DomainError, match="complete"):
        services.agreement_update_text(actor=world.cora, engagement=world.engagement, text="New")


class TestDueDates(HypothesisTestCase):
    """No step can be made due before its engagement starts, whatever the date asked for; any
    date from the start on is accepted and saved."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    @settings(max_examples=25, deadline=None)
    @given(days=st.integers(min_value=-800, max_value=800))
    def test_due_dates_never_before_the_start(self, days):
        engagement = self.world.engagement
        step = engagement.steps.get(step_key="review-assignment")
        before = step.due_on
        wanted = engagement.starts_on + datetime.timedelta(days=days)
        if days < 0:
            with pytest.raises(DomainError, match="before the engagement starts"):
                services.step_set_due(actor=self.world.cora, step=step, due_on=wanted)
            step.refresh_from_db()
            assert step.due_on == before
        else:
            services.step_set_due(actor=self.world.cora, step=step, due_on=wanted)
            step.refresh_from_db()
            assert step.due_on == wanted
