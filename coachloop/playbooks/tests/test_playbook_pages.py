"""The playbook pages: the built-in performance coaching model laid out in full, copying it into a
district and adapting a step (a new version, while running engagements keep theirs), editing the
whole file with every problem listed, and who may see or change what."""

import datetime
import re

import pytest
import yaml

from coachloop.engagements import services as engagements
from coachloop.engagements.services import People
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook
from coachloop.playbooks.services import playbook_copy
from coachloop.testing.personas import builtin_playbook

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def builtin(world):
    return builtin_playbook("performance-coaching")


@pytest.fixture
def district_copy(world, builtin):
    return playbook_copy(
        actor=world.ada, source=builtin, organisation=world.district, name="Riverbend coaching"
    )


def test_the_builtin_playbook_is_listed_as_built_in(world, signed_in, builtin):
    page = text(signed_in(world.cora).get("/playbooks/"))
    assert "Performance coaching" in page
    assert "Built-in" in page
    assert "Version 1" in page
    assert f'href="/playbooks/{builtin.pk}/"' in page


def test_the_list_is_searchable_and_says_when_nothing_matches(world, signed_in, district_copy):
    client = signed_in(world.ada)
    page = text(client.get("/playbooks/?q=riverbend"))
    assert "Riverbend coaching" in page
    assert ">Performance coaching</a></th>" not in page
    # the copy names its organisation and what it is based on
    assert "Riverbend</td>" in page
    assert ">Performance coaching</a></td>" in page
    assert "No playbook matches" in text(client.get("/playbooks/?q=nothing-like-this"))


def test_the_detail_page_lays_out_the_performance_coaching_model(world, signed_in, builtin):
    page = text(signed_in(world.tom).get(f"/playbooks/{builtin.pk}/"))
    phases = [page.index(f"<h3>{title}</h3>") for title in ("Pre-coaching", "Plan", "Do")]
    phases += [page.index(f"<h3>{title}</h3>") for title in ("Check", "Act")]
    assert phases == sorted(phases)
    # steps with their owner's label, due day, checklist and what they use
    assert "Draft the IPCAP" in page
    assert "Gain approval of the IPCAP" in page
    assert "Day 14" in page
    assert "Agree a date with the performer and sponsor" in page
    assert 'href="#form-assignment-review"' in page
    assert "Performer" in page
    # the plan, the agreement, a rubric as criteria by levels, a meeting agenda, visibility
    assert "Individual Performance Coaching Action Plan (IPCAP)" in page
    assert "Performance coaching agreement" in page
    assert "Performance task scoring" in page
    assert "Planned for the purpose and the participants, anticipating needs." in page
    assert "4 · Exemplary" in page
    assert "Walk through Pre-coaching, Plan, Do, Check and Act." in page
    assert "Sponsors: also the sponsor and district representative" in page
    # the version history
    assert "Loaded from performance-coaching.yaml" in page


def test_a_builtin_offers_no_edit_and_refuses_edits_by_address(world, signed_in, builtin):
    client = signed_in(world.ada)
    page = text(client.get(f"/playbooks/{builtin.pk}/"))
    assert "Built-in playbooks can't be changed; copy one to adapt it." in page
    assert "Copy and adapt" in page
    assert "Edit step" not in page
    assert "Edit as a file" not in page
    step = client.get(f"/playbooks/{builtin.pk}/steps/orientation/")
    assert step.status_code == 403
    assert "copy one to adapt it" in text(step)
    posted = client.post(
        f"/playbooks/{builtin.pk}/steps/orientation/",
        {"title": "Changed", "due_days": "3", "checklist": "", "base_version": "1"},
    )
    assert posted.status_code == 403
    assert client.post(f"/playbooks/{builtin.pk}/edit/", {"text": "x"}).status_code == 403
    builtin.refresh_from_db()
    assert builtin.current.number == 1


def test_ada_copies_the_builtin_and_adapts_a_step(world, signed_in, builtin):
    client = signed_in(world.ada)
    form = client.get(f"/playbooks/{builtin.pk}/copy/")
    assert form.status_code == 200
    response = client.post(
        f"/playbooks/{builtin.pk}/copy/",
        {"organisation": world.district.pk, "name": "Riverbend coaching"},
    )
    copy = Playbook.objects.get(organisation=world.district)
    assert response["Location"] == f"/playbooks/{copy.pk}/"
    assert copy.based_on == builtin
    page = text(client.get(response["Location"]))
    assert "Edit as a file" in page
    assert f'href="/playbooks/{copy.pk}/steps/plan-orientation/"' in page

    # An engagement already running on the copy's first version
    programme = engagements.programme_create(
        actor=world.ada, organisation=world.district, name="Riverbend 2026", playbook=copy
    )
    running = engagements.engagement_create(
        actor=world.ada,
        programme=programme,
        people=People(coachees=[world.tom], coaches=[world.cora], sponsors=[world.lena]),
        starts_on=datetime.date(2026, 9, 1),
    )

    edit = client.get(f"/playbooks/{copy.pk}/steps/plan-orientation/")
    assert "Engagements already running keep the version they started with" in text(edit)
    assert 'name="base_version" value="1"' in edit.content.decode()
    response = client.post(
        f"/playbooks/{copy.pk}/steps/plan-orientation/",
        {
            "title": "Plan the orientation with the sponsor",
            "due_days": "12",
            "checklist": "Agree a date with the performer and sponsor\n\nBook a room\n",
            "description": "Meet the sponsor first.",
            "base_version": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/playbooks/{copy.pk}/#step-plan-orientation"
    copy.refresh_from_db()
    assert copy.current.number == 2
    step = next(s for _p, s in copy.current.spec.steps() if s.key == "plan-orientation")
    assert step.title == "Plan the orientation with the sponsor"
    assert step.due_days == 12
    assert step.checklist == ["Agree a date with the performer and sponsor", "Book a room"]
    page = text(client.get(f"/playbooks/{copy.pk}/"))
    assert "Saved as version 2" in page
    assert "Changed step “Plan the orientation with the sponsor”" in page
    assert "Day 12" in page

    # Engagements keep the version they started with: the world's (built-in v1) and the copy's.
    world.engagement.refresh_from_db()
    assert world.engagement.playbook_version == builtin.current
    running.refresh_from_db()
    assert running.playbook_version.number == 1
    old = running.steps.get(step_key="plan-orientation")
    assert old.title == "Plan the orientation meeting"
    assert len(old.checklist_done) == 3
    assert old.due_on == datetime.date(2026, 9, 11)
    # and the first version can still be read
    older = text(client.get(f"/playbooks/{copy.pk}/?version=1"))
    assert "You are looking at version 1" in older
    assert "Plan the orientation meeting" in older
    assert "Edit step" not in older


def test_a_negative_due_day_is_refused_with_what_was_typed(world, signed_in, district_copy):
    response = signed_in(world.ada).post(
        f"/playbooks/{district_copy.pk}/steps/orientation/",
        {"title": "My new title", "due_days": "-3", "checklist": "One\nTwo", "base_version": "1"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "can&#x27;t be due before the engagement starts" in page
    assert 'value="My new title"' in page
    assert "One\nTwo" in response.content.decode()
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_a_change_to_an_older_version_is_refused_as_a_conflict(world, signed_in, district_copy):
    client = signed_in(world.ada)
    first = {"title": "First", "due_days": "5", "checklist": "", "base_version": "1"}
    assert (
        client.post(f"/playbooks/{district_copy.pk}/steps/orientation/", first).status_code == 302
    )
    second = {"title": "Second", "due_days": "6", "checklist": "", "base_version": "1"}
    response = client.post(f"/playbooks/{district_copy.pk}/steps/orientation/", second)
    assert response.status_code == 409
    page = text(response)
    assert "Someone saved version 2" in page
    assert 'value="Second"' in page
    assert "What version 2 says now" in page
    district_copy.refresh_from_db()
    assert district_copy.current.number == 2
    assert district_copy.current.spec.phases[0].steps[2].title == "First"


def test_an_unknown_key_in_the_file_is_listed_with_its_path(world, signed_in, district_copy):
    client = signed_in(world.ada)
    page = client.get(f"/playbooks/{district_copy.pk}/edit/")
    assert page.status_code == 200
    shown = schema.dump(district_copy.current.spec)
    data = yaml.safe_load(shown)
    data["phases"][1]["steps"][0]["colour"] = "blue"
    typed = yaml.safe_dump(data, sort_keys=False)
    response = client.post(
        f"/playbooks/{district_copy.pk}/edit/", {"text": typed, "base_version": "1"}
    )
    assert response.status_code == 422
    body = text(response)
    assert "phases[1].steps[0].colour: unknown key" in body
    assert "colour: blue" in response.content.decode()
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_a_step_using_an_absent_form_is_refused(world, signed_in, district_copy):
    data = yaml.safe_load(schema.dump(district_copy.current.spec))
    data["phases"][0]["steps"][0]["form"] = "x"
    response = signed_in(world.ada).post(
        f"/playbooks/{district_copy.pk}/edit/",
        {"text": yaml.safe_dump(data, sort_keys=False), "base_version": "1"},
    )
    assert response.status_code == 422
    assert "phases[0].steps[0].form: no form &quot;x&quot; in forms" in text(response)


def test_a_valid_file_saves_a_new_version(world, signed_in, district_copy):
    data = yaml.safe_load(schema.dump(district_copy.current.spec))
    data["summary"] = "Our district's version."
    client = signed_in(world.ada)
    response = client.post(
        f"/playbooks/{district_copy.pk}/edit/",
        {"text": yaml.safe_dump(data, sort_keys=False), "base_version": "1"},
    )
    assert response["Location"] == f"/playbooks/{district_copy.pk}/"
    district_copy.refresh_from_db()
    assert district_copy.current.number == 2
    assert district_copy.current.spec.summary == "Our district's version."
    assert "Edited as a file" in text(client.get(f"/playbooks/{district_copy.pk}/"))


def test_the_file_downloads_for_anyone_who_sees_the_playbook(world, signed_in, district_copy):
    response = signed_in(world.tom).get(f"/playbooks/{district_copy.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/yaml")
    assert response["Content-Disposition"].startswith("attachment;")
    spec = schema.load(response.content.decode(), "download.yaml")
    assert spec.name == "Riverbend coaching"


@pytest.mark.parametrize("name", ["tom", "cora"])
def test_participants_can_view_the_copy_but_not_change_it(world, signed_in, district_copy, name):
    client = signed_in(getattr(world, name))
    page = text(client.get(f"/playbooks/{district_copy.pk}/"))
    assert "Riverbend coaching" in page
    assert "Edit step" not in page
    assert "Edit as a file" not in page
    assert "Copy and adapt" not in page
    assert client.get(f"/playbooks/{district_copy.pk}/steps/orientation/").status_code == 403
    assert client.get(f"/playbooks/{district_copy.pk}/edit/").status_code == 403
    assert client.get(f"/playbooks/{district_copy.pk}/copy/").status_code == 403
    response = client.post(
        f"/playbooks/{district_copy.pk}/steps/orientation/",
        {"title": "Mine", "due_days": "1", "checklist": "", "base_version": "1"},
    )
    assert response.status_code == 403
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_another_tenant_gets_not_found(world, signed_in, district_copy):
    client = signed_in(world.bea)
    for path in ("", "steps/orientation/", "edit/", "download/", "copy/"):
        assert client.get(f"/playbooks/{district_copy.pk}/{path}").status_code == 404, path
    assert "Riverbend coaching" not in text(client.get("/playbooks/"))
    # bea may copy the built-in into her own district, but not into Riverbend
    builtin = district_copy.based_on
    response = client.post(
        f"/playbooks/{builtin.pk}/copy/", {"organisation": world.district.pk, "name": "Stolen"}
    )
    assert response.status_code == 422
    assert not Playbook.objects.filter(name="Stolen").exists()


def test_an_unknown_version_or_step_is_not_found(world, signed_in, district_copy):
    client = signed_in(world.ada)
    assert client.get(f"/playbooks/{district_copy.pk}/?version=9").status_code == 404
    assert client.get(f"/playbooks/{district_copy.pk}/?version=x").status_code == 404
    assert client.get(f"/playbooks/{district_copy.pk}/steps/no-such-step/").status_code == 404


def test_an_htmx_search_answers_with_the_list_only(world, signed_in, builtin):
    response = signed_in(world.cora).get("/playbooks/?q=perf", headers={"HX-Request": "true"})
    page = text(response)
    assert "Performance coaching" in page
    assert "<h1>" not in page
