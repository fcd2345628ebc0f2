"""The observation pages: starting in one tap, the quick form without JavaScript, the autosave
endpoint (JSON and form, 409 on a stale revision), finishing and discarding, the history with its
filters, the evidence per action step, and the CSV and XLSX exports with only what the user may
read."""

import csv
import datetime
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from coachloop.observations import services
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.observations.tests.conftest import make_step
from coachloop.organisations.models import Role
from coachloop.testing.personas import person


def start(world, engagement):
    return services.observation_start(actor=world.cora, engagement=engagement)


def finished(world, engagement, *, moments=(), notes="", when=None, visibility=None, step=None):
    observation = start(world, engagement)
    if when is not None:
        Observation.objects.filter(pk=observation.pk).update(started_at=when)
        observation.refresh_from_db()
    if step is not None:
        Observation.objects.filter(pk=observation.pk).update(action_step=step)
        observation.refresh_from_db()
    return services.observation_finish(
        actor=world.cora,
        observation=observation,
        notes=notes,
        moments=list(moments),
        duration_minutes=15,
        base=observation.revision,
        visibility=visibility,
    )


def url(name, observation):
    return reverse(name, args=[observation.engagement_id, observation.pk])


def seen(criterion, at="00:01:00", text=""):
    return {"at": at, "text": text, "criterion": criterion, "evidence": "for"}


def not_yet(criterion, at="00:02:00", text=""):
    return {"at": at, "text": text, "criterion": criterion, "evidence": "against"}


# --- Starting -----------------------------------------------------------------------------------


def test_one_tap_starts_and_opens_the_quick_form(world, instructional, step, signed_in):
    client = signed_in(world.cora)
    response = client.post(reverse("observation_start", args=[instructional.pk]))
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("observation_edit", observation)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Observing {world.tom}" in html
    assert "Tight transitions" in html
    assert "Students line up in silence" in html
    assert html.count('data-evidence="for"') == 3
    assert html.count('data-evidence="against"') == 3
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    # A second tap reopens the same draft.
    again = client.post(reverse("observation_start", args=[instructional.pk]))
    assert again["Location"] == response["Location"]


def test_start_answers_403_with_the_reason_or_404_when_the_engagement_is_unseen(
    world, instructional, signed_in, client
):
    start_url = reverse("observation_start", args=[instructional.pk])
    response = signed_in(world.lena).post(start_url, follow=True)
    assert response.status_code == 403
    assert f"You don&#x27;t coach {world.tom}" in response.content.decode()
    client.logout()
    carl = person("carl@a.test", world.district, Role.COACH)
    assert signed_in(carl).post(start_url).status_code == 404
    client.logout()
    assert signed_in(world.bea).post(start_url).status_code == 404
    assert not Observation.objects.exists()


def test_start_is_a_post(world, instructional, signed_in):
    response = signed_in(world.cora).get(reverse("observation_start", args=[instructional.pk]))
    assert response.status_code == 405


# --- The quick form without JavaScript ----------------------------------------------------------


def test_the_form_saves_and_a_button_adds_a_timed_tagged_moment(
    world, instructional, step, signed_in
):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    response = client.post(
        url("observation_edit", observation),
        {"base": "0", "notes": "Quiet start", "moment_text": "Line silent", "add": "0:for"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#moments")
    stored = Observation.objects.get(pk=observation.pk)
    assert stored.notes == "Quiet start"
    assert stored.revision == 1
    [moment] = stored.moments
    assert moment["criterion"] == 0
    assert moment["evidence"] == "for"
    assert moment["text"] == "Line silent"
    assert moment["at"].startswith("00:00:")
    page = client.get(response["Location"])
    assert "Saved at" in page.content.decode()
    # The moments come back as fields: editing and removing them works without JavaScript.
    response = client.post(
        url("observation_edit", observation),
        {
            "base": "1",
            "notes": "Quiet start",
            "moment-0-at": "00:00:30",
            "moment-0-text": "Line silent",
            "moment-0-criterion": "0",
            "moment-0-evidence": "for",
            "moment-1-at": "00:01:00",
            "moment-1-text": "gone",
            "moment-1-remove": "1",
            "score-fluency": "2",
            "duration_minutes": "12",
        },
    )
    stored.refresh_from_db()
    assert [m["text"] for m in stored.moments] == ["Line silent"]
    assert stored.scores == {"fluency": 2}
    assert stored.duration_minutes == 12


def test_a_refused_save_keeps_what_was_typed_with_the_reason(world, instructional, step, signed_in):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    response = client.post(
        url("observation_edit", observation),
        {"base": "0", "notes": "Typed text", "duration_minutes": "900"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "from 1 to 600" in html
    assert "Typed text" in html
    assert Observation.objects.get(pk=observation.pk).revision == 0


def test_a_stale_save_shows_the_saved_version_and_keeps_the_typed_text(
    world, instructional, step, signed_in
):
    observation = start(world, instructional)
    services.observation_save(
        actor=world.cora,
        observation=observation,
        notes="From my phone",
        moments=[],
        duration_minutes=None,
        base=0,
    )
    client = signed_in(world.cora)
    response = client.post(
        url("observation_edit", observation), {"base": "0", "notes": "From my tablet"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "saved elsewhere" in html
    assert "From my phone" in html  # the saved version, to read
    assert "From my tablet" in html  # what was typed, kept
    assert 'name="base" value="1"' in html  # saving again now goes through
    assert Observation.objects.get(pk=observation.pk).notes == "From my phone"


def test_someone_else_cannot_open_the_draft(world, instructional, step, signed_in):
    observation = start(world, instructional)
    for name in ("tom", "lena", "ada"):
        client = signed_in(getattr(world, name))
        assert client.get(url("observation_edit", observation)).status_code == 404
        assert client.post(url("observation_finish", observation)).status_code == 404
        client.logout()


# --- The autosave endpoint ----------------------------------------------------------------------


def draft_post(client, observation, body):
    return client.post(
        url("observation_draft", observation),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_autosave_answers_the_new_revision_and_409_when_stale(
    world, instructional, step, signed_in
):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    body = {"notes": "n1", "moments": [seen(1)], "duration_minutes": None, "base": 0}
    response = draft_post(client, observation, body)
    assert response.status_code == 200
    data = response.json()
    assert data["revision"] == 1
    assert datetime.datetime.fromisoformat(data["saved_at"])
    stale = draft_post(client, observation, {**body, "notes": "other tab"})
    assert stale.status_code == 409
    assert stale.json()["revision"] == 1
    assert "saved elsewhere" in stale.json()["detail"]
    assert Observation.objects.get(pk=observation.pk).notes == "n1"


def test_autosave_takes_a_form_too(world, instructional, step, signed_in):
    observation = start(world, instructional)
    response = signed_in(world.cora).post(
        url("observation_draft", observation),
        {
            "base": "0",
            "notes": "form",
            "moment-0-at": "1:00",
            "moment-0-criterion": "2",
            "moment-0-evidence": "against",
        },
    )
    assert response.json()["revision"] == 1
    assert Observation.objects.get(pk=observation.pk).moments[0]["criterion"] == 2


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"notes": "x", "moments": [{"at": "later"}], "base": 0}, 400, "Moment 1"),
        ({"notes": "x", "moments": [], "base": "abc"}, 400, "revision (base)"),
        ({"notes": "x", "moments": []}, 400, "Send the revision"),
    ],
)
def test_autosave_says_what_is_wrong(world, instructional, step, signed_in, body, status, message):
    observation = start(world, instructional)
    response = draft_post(signed_in(world.cora), observation, body)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_autosave_refuses_the_signed_out_and_others_in_json(world, instructional, step, signed_in):
    observation = start(world, instructional)
    anonymous = Client()
    response = draft_post(anonymous, observation, {"notes": "", "base": 0})
    assert response.status_code == 401
    assert "kept" in response.json()["detail"]
    response = draft_post(signed_in(world.tom), observation, {"notes": "", "base": 0})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_autosave_queries_do_not_grow_with_the_moments(
    world, instructional, step, signed_in, django_assert_max_num_queries
):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    draft_post(client, observation, {"notes": "warm", "moments": [], "base": 0})
    moments = [seen(i % 3, at=f"00:{i // 60:02d}:{i % 60:02d}") for i in range(400)]
    with django_assert_max_num_queries(12):
        response = draft_post(client, observation, {"notes": "big", "moments": moments, "base": 1})
    assert response.status_code == 200


# --- Finish, discard, read ----------------------------------------------------------------------


def test_finishing_from_the_form_opens_the_observation(world, instructional, step, signed_in):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    response = client.post(
        url("observation_finish", observation),
        {
            "base": "0",
            "notes": "All lined up",
            "moment-0-at": "00:03:00",
            "moment-0-criterion": "0",
            "moment-0-evidence": "for",
            "moment-0-text": "Silent",
            "visibility": "team",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The observation is finished" in html
    assert "All lined up" in html
    assert "Students line up in silence" in html
    assert Observation.objects.get(pk=observation.pk).status == ObservationStatus.FINAL
    # Finished, the form is gone: the edit page leads to the observation.
    assert client.get(url("observation_edit", observation))["Location"] == url(
        "observation_detail", observation
    )


def test_finishing_with_a_partial_rubric_is_refused_on_the_form(
    world, instructional, step, signed_in
):
    observation = start(world, instructional)
    response = signed_in(world.cora).post(
        url("observation_finish", observation),
        {"base": "0", "notes": "kept", "score-fluency": "3"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Score every criterion of the rubric, or none" in html
    assert "kept" in html


def test_discard_asks_first(world, instructional, step, signed_in):
    observation = start(world, instructional)
    client = signed_in(world.cora)
    page = client.get(url("observation_discard", observation))
    assert "Discard this draft observation?" in page.content.decode()
    assert Observation.objects.filter(pk=observation.pk).exists()
    response = client.post(url("observation_discard", observation))
    assert response["Location"] == reverse("observation_history", args=[instructional.pk])
    assert not Observation.objects.filter(pk=observation.pk).exists()


def test_the_team_reads_a_finished_observation_and_the_sponsor_does_not(
    world, instructional, step, signed_in, client
):
    observation = finished(world, instructional, notes="Secret classroom notes")
    assert (
        "Secret classroom notes"
        in signed_in(world.tom).get(url("observation_detail", observation)).content.decode()
    )
    client.logout()
    for name in ("lena", "dan", "ada", "bea"):
        assert (
            signed_in(getattr(world, name)).get(url("observation_detail", observation)).status_code
            == 404
        )
        client.logout()


def test_a_sponsor_reading_a_shared_observation_does_not_see_a_team_only_step(
    world, instructional, step, signed_in
):
    observation = finished(
        world, instructional, notes="Shared", moments=[seen(0)], visibility="sponsors"
    )
    html = signed_in(world.lena).get(url("observation_detail", observation)).content.decode()
    assert "Shared" in html
    assert "Tight transitions" not in html
    assert "Students line up in silence" not in html
    assert "Success criterion 1" in html


# --- History ------------------------------------------------------------------------------------


@pytest.fixture
def history(world, instructional, step):
    """Three finished observations over September (two of the current step) and Cora's draft."""
    other = make_step(world, instructional, title="Cold call", status="mastered")
    now = timezone.now()
    rows = {
        "old": finished(
            world,
            instructional,
            moments=[not_yet(0)],
            notes="old",
            when=now - datetime.timedelta(days=20),
            step=other,
        ),
        "mid": finished(
            world,
            instructional,
            moments=[seen(0), seen(1), not_yet(2)],
            notes="mid",
            when=now - datetime.timedelta(days=10),
        ),
        "new": finished(
            world,
            instructional,
            moments=[seen(2, text='"evidence": "against"')],
            notes="new",
            when=now - datetime.timedelta(days=1),
        ),
    }
    rows["draft"] = start(world, instructional)
    return rows


def listed(response):
    return response.context["rows"]


def test_history_lists_newest_first_with_counts_and_own_drafts(
    world, instructional, history, signed_in, client
):
    response = signed_in(world.cora).get(reverse("observation_history", args=[instructional.pk]))
    rows = listed(response)
    assert [r["observation"].pk for r in rows] == [
        history[k].pk for k in ("draft", "new", "mid", "old")
    ]
    mid = next(r for r in rows if r["observation"].pk == history["mid"].pk)
    assert (mid["seen"], mid["not_yet"]) == (2, 1)
    html = response.content.decode()
    assert "Draft" in html
    assert "export" in html.lower()
    client.logout()
    tom_rows = listed(
        signed_in(world.tom).get(reverse("observation_history", args=[instructional.pk]))
    )
    assert history["draft"].pk not in [r["observation"].pk for r in tom_rows]
    client.logout()
    lena = signed_in(world.lena).get(reverse("observation_history", args=[instructional.pk]))
    assert listed(lena) == []
    assert "No observations you can read yet." in lena.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"evidence": "for"}, ["new", "mid"]),
        ({"evidence": "against"}, ["mid", "old"]),  # a note quoting the words doesn't count
        ({"status": "draft"}, ["draft"]),
        ({"status": "final"}, ["new", "mid", "old"]),
        ({"date_to": "__5_days_ago__"}, ["mid", "old"]),
        ({"date_from": "__15_days_ago__", "status": "final"}, ["new", "mid"]),
    ],
)
def test_history_filters(world, instructional, history, signed_in, query, expected):
    today = timezone.localdate()
    values = {
        k: (
            (today - datetime.timedelta(days=int(v.split("_")[2]))).isoformat()
            if v.startswith("__")
            else v
        )
        for k, v in query.items()
    }
    response = signed_in(world.cora).get(
        reverse("observation_history", args=[instructional.pk]), values
    )
    assert [r["observation"].pk for r in listed(response)] == [history[k].pk for k in expected]


def test_history_filters_by_action_step_and_links_the_evidence(
    world, instructional, step, history, signed_in
):
    response = signed_in(world.cora).get(
        reverse("observation_history", args=[instructional.pk]), {"action_step": step.pk}
    )
    pks = [r["observation"].pk for r in listed(response)]
    assert history["old"].pk not in pks
    assert history["mid"].pk in pks
    assert reverse("action_step_evidence", args=[instructional.pk, step.pk]) in (
        response.content.decode()
    )


def test_history_names_a_bad_filter_and_ignores_it(world, instructional, history, signed_in):
    response = signed_in(world.cora).get(
        reverse("observation_history", args=[instructional.pk]),
        {"date_from": "yesterday", "action_step": "999999"},
    )
    assert response.status_code == 200
    assert "Enter the first date like 2026-09-01." in response.content.decode()
    assert len(listed(response)) == 4


def test_history_queries_do_not_grow_with_the_observations(
    world, instructional, step, signed_in, django_assert_num_queries
):
    client = signed_in(world.cora)
    history_url = reverse("observation_history", args=[instructional.pk])
    finished(world, instructional, moments=[seen(0)])
    client.get(history_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(history_url)
    for _ in range(5):
        finished(world, instructional, moments=[seen(1)])
    with CaptureQueriesContext(connection) as many:
        client.get(history_url)
    assert len(many) == len(few)


# --- Evidence per action step -------------------------------------------------------------------


def test_evidence_counts_each_criterion_per_observation_and_in_total(
    world, instructional, step, signed_in, client
):
    day = timezone.now()
    finished(
        world,
        instructional,
        moments=[seen(0), not_yet(1), seen(0)],
        when=day - datetime.timedelta(days=7),
    )
    finished(
        world,
        instructional,
        moments=[seen(1), seen(2), not_yet(2)],
        when=day - datetime.timedelta(days=2),
    )
    start(world, instructional)  # a draft counts for nobody
    response = signed_in(world.cora).get(
        reverse("action_step_evidence", args=[instructional.pk, step.pk])
    )
    stats = response.context["stats"]
    assert [(t.seen, t.not_yet) for t in stats.totals] == [(2, 0), (1, 1), (1, 1)]
    assert [r.cells for r in stats.rows] == [
        [(2, 0), (0, 1), (0, 0)],
        [(0, 0), (1, 0), (1, 1)],
    ]
    assert [t.observations_seen for t in stats.totals] == [1, 1, 1]
    html = response.content.decode()
    assert "Materials are out within 30 seconds" in html
    client.logout()
    assert (
        signed_in(world.lena)
        .get(reverse("action_step_evidence", args=[instructional.pk, step.pk]))
        .status_code
        == 404
    )


def test_evidence_of_a_step_never_observed_says_so(world, instructional, step, signed_in):
    response = signed_in(world.tom).get(
        reverse("action_step_evidence", args=[instructional.pk, step.pk])
    )
    assert "No finished observations of this action step yet." in response.content.decode()


# --- Exports ------------------------------------------------------------------------------------


def export(client, engagement, fmt, **query):
    return client.get(reverse("observation_export", args=[engagement.pk]), {"format": fmt, **query})


def test_csv_export_has_the_filtered_rows_the_user_may_read(
    world, instructional, history, signed_in, client
):
    Observation.objects.filter(pk=history["new"].pk).update(notes="=HYPERLINK(1)")
    response = export(signed_in(world.cora), instructional, "csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Date", "Started", "Minutes"]
    notes = [r[header.index("Notes")] for r in body]
    assert notes == ["", "'=HYPERLINK(1)", "mid", "old"]  # the draft too: it is Cora's
    mid = body[2]
    assert mid[header.index("Evidence seen")] == "2"
    assert "[Seen: Students line up in silence]" in mid[header.index("Moments")]
    client.logout()
    tom_rows = list(
        csv.reader(
            io.StringIO(
                export(signed_in(world.tom), instructional, "csv", evidence="for").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [r[tom_rows[0].index("Notes")] for r in tom_rows[1:]] == ["'=HYPERLINK(1)", "mid"]
    client.logout()
    lena_rows = list(
        csv.reader(
            io.StringIO(
                export(signed_in(world.lena), instructional, "csv").content.decode("utf-8-sig")
            )
        )
    )
    assert lena_rows[1:] == []


def test_xlsx_export_parses_back(world, instructional, history, signed_in):
    response = export(signed_in(world.cora), instructional, "xlsx", status="final")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[0] == "Date"
    assert [row[header.index("Notes")] for row in values[1:]] == ["new", "mid", "old"]
    assert isinstance(values[1][header.index("Started")], datetime.datetime)
    assert values[3][header.index("Action step")] == "Cold call"


def test_export_refuses_an_unknown_format(world, instructional, signed_in):
    response = export(signed_in(world.cora), instructional, "pdf")
    assert response.status_code == 400
    assert "csv or xlsx" in response.content.decode()


def test_with_several_teachers_the_coach_chooses_whom_to_observe(world, instructional, signed_in):
    from coachloop.engagements.models import ParticipantRole
    from coachloop.testing.factories import ParticipantFactory

    ParticipantFactory(engagement=instructional, user=world.tina, role=ParticipantRole.COACHEE)
    client = signed_in(world.cora)
    start_url = reverse("observation_start", args=[instructional.pk])
    page = client.get(reverse("observation_history", args=[instructional.pk])).content.decode()
    assert 'name="coachee"' in page
    refused = client.post(start_url, follow=True).content.decode()
    assert "This engagement has several teachers: choose whom you observe" in refused
    refused = client.post(start_url, {"coachee": "abc"}, follow=True).content.decode()
    assert "Choose one of this engagement&#x27;s teachers to observe." in refused
    assert not Observation.objects.exists()
    response = client.post(start_url, {"coachee": str(world.tina.pk)})
    assert response.status_code == 302
    assert Observation.objects.get().coachee == world.tina
