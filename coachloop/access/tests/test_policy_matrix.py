"""The confidentiality policy as a matrix: each persona (role) x each visibility level x own or
other organisation, through the selectors and through the pages (200, 403 or 404)."""

import re

import pytest

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.engagements.models import Note

P, T, S, G = Visibility.PRIVATE, Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME

# Which of Cora's notes each persona may read.
CAN_READ = {
    "cora": {P, T, S, G},  # the author
    "tom": {T, S, G},  # coachee: team and above
    "lena": {S, G},  # sponsor
    "dan": {S, G},  # district representative
    "ada": {G},  # the programme's administrator: programme level only
    "sam": set(),  # same school, not in the engagement
    "tina": set(),  # same district, another school
    "bea": set(),  # another tenant's administrator
    "ben": set(),  # another tenant's teacher
}


@pytest.mark.parametrize("name", CAN_READ)
@pytest.mark.parametrize("level", Visibility.values)
def test_note_visibility_matrix_in_selectors(world, name, level):
    user = world.people[name]
    note = world.notes[level]
    assert policy.allowed(user, Action.VIEW, note) is (level in CAN_READ[name])
    assert (note in policy.notes_visible_to(user)) is (level in CAN_READ[name])


@pytest.mark.parametrize("name", CAN_READ)
@pytest.mark.parametrize("level", Visibility.values)
def test_note_page_answers_200_or_404(world, signed_in, name, level):
    client = signed_in(world.people[name])
    note = world.notes[level]
    response = client.get(note.get_absolute_url())
    expected = 200 if level in CAN_READ[name] else 404
    assert response.status_code == expected
    if expected == 404:
        assert b"Secret text" not in response.content


def test_a_misconfigured_programme_admin_from_another_tenant_still_sees_nothing(world):
    """Tenancy wins over any role: adding Bea to A's programme does not open A's content."""
    world.engagement.programme.administrators.add(world.bea)
    assert not policy.notes_visible_to(world.bea).exists()
    assert not policy.allowed(world.bea, Action.VIEW, world.notes[G])


ENGAGEMENT_VISIBLE = {"cora", "tom", "lena", "dan", "ada"}


@pytest.mark.parametrize("name", CAN_READ)
def test_engagement_metadata_visibility(world, signed_in, name):
    client = signed_in(world.people[name])
    response = client.get(world.engagement.get_absolute_url())
    assert response.status_code == (200 if name in ENGAGEMENT_VISIBLE else 404)


def test_the_engagement_page_lists_only_notes_the_reader_may_see(world, signed_in):
    response = signed_in(world.lena).get(world.engagement.get_absolute_url())
    assert b"sponsors note" in response.content
    assert b"programme note" in response.content
    assert b"team note" not in response.content
    assert b"private note" not in response.content


# Organisations: own scope (and below) only.
ORG_SCOPE = {
    "ada": {"district", "oak", "elm"},
    "cora": {"district", "oak", "elm"},
    "dan": {"district", "oak", "elm"},
    "lena": {"oak"},
    "tom": {"oak"},
    "sam": {"oak"},
    "tina": {"elm"},
    "bea": {"faraway", "pine"},
    "ben": {"pine"},
}


@pytest.mark.parametrize("name", ORG_SCOPE)
def test_organisations_visible_are_exactly_the_scope(world, name):
    visible = set(policy.organisations_visible_to(world.people[name]))
    assert visible == {getattr(world, org) for org in ORG_SCOPE[name]}


@pytest.mark.parametrize(
    ("name", "target", "status"),
    [
        ("ada", "tom", 200),  # administrator of Tom's district
        ("tom", "tom", 403),  # may see himself, not administer
        ("lena", "tom", 403),  # same school, not an administrator
        ("tina", "tom", 404),  # another school: cannot even see Tom
        ("bea", "tom", 404),  # another tenant's administrator
        ("bea", "ben", 200),
        ("ada", "ben", 404),
    ],
)
def test_person_edit_page_answers_by_role_and_tenant(world, signed_in, name, target, status):
    client = signed_in(world.people[name])
    response = client.get(f"/people/{world.people[target].pk}/edit/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    [("ada", 200), ("cora", 403), ("dan", 403), ("lena", 404), ("bea", 404), ("tom", 404)],
)
def test_roster_import_page_is_for_the_districts_administrators(world, signed_in, name, status):
    response = signed_in(world.people[name]).get(f"/organisations/{world.district.pk}/import/")
    assert response.status_code == status


def test_an_unknown_id_and_a_hidden_id_get_the_same_answer(world, signed_in):
    client = signed_in(world.ben)
    hidden = client.get(f"/people/{world.tom.pk}/")
    missing = client.get("/people/999999/")
    assert hidden.status_code == missing.status_code == 404

    def without_csrf(content):  # the masked CSRF token differs on every render
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)

    assert without_csrf(hidden.content) == without_csrf(missing.content)


def test_inactive_memberships_give_no_access(world):
    world.tom.memberships.update(is_active=False)
    policy.forget(world.tom)
    assert not policy.organisations_visible_to(world.tom).exists()


def test_reading_a_note_is_audited_without_its_text(world, signed_in):
    from coachloop.access.models import AuditEvent

    signed_in(world.tom).get(world.notes[T].get_absolute_url())
    event = AuditEvent.objects.get(action="note.read")
    assert event.actor == world.tom
    assert event.target_id == str(world.notes[T].pk)
    assert "Secret" not in str(event.data)


def test_audit_trail_page_shows_metadata_to_administrators_only(world, signed_in):
    signed_in(world.tom).get(world.notes[T].get_absolute_url())
    response = signed_in(world.ada).get("/audit/")
    assert response.status_code == 200
    assert b"<code>note.read</code>" in response.content
    assert b"Secret text" not in response.content
    assert signed_in(world.tom).get("/audit/").status_code == 403
    assert b"<code>note.read</code>" not in signed_in(world.bea).get("/audit/").content


def test_notes_are_written_by_the_team_only(world, signed_in):
    url = world.engagement.get_absolute_url()
    data = {"title": "Mine", "body": "Reflection", "visibility": T}
    assert signed_in(world.tom).post(url, data).status_code == 302
    assert signed_in(world.lena).post(url, data).status_code == 403
    assert signed_in(world.ben).post(url, data).status_code == 404
    assert Note.objects.filter(title="Mine").count() == 1
