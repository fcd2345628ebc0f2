"""The demo district: realistic, deterministic, and usable with the printed sign-ins."""

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep, Cycle
from coachloop.demo.generator import DEMO_PASSWORD, demo_accounts, generate
from coachloop.engagements.models import Engagement
from coachloop.meetings.models import Meeting
from coachloop.observations.models import Observation
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role


def test_the_demo_district_has_six_schools_and_about_150_staff(db):
    result = generate(size="demo", seed=1)
    assert Organisation.objects.filter(kind=OrganisationKind.SCHOOL).count() == 6
    assert 140 <= User.objects.count() <= 160
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert Engagement.objects.count() == result.engagements > 0


def test_every_printed_sign_in_works(client, db):
    generate(size="demo", seed=1)
    for email, _what in demo_accounts():
        assert client.login(username=email, password=DEMO_PASSWORD), email


NOW = timezone.now()


def snapshot(seed):
    """What a seed generates at a moment, without the ids (which depend on what came before)."""
    with transaction.atomic():
        generate(size="demo", seed=seed, now=NOW)
        rows = {
            "people": list(
                User.objects.order_by("email").values_list("email", "given_name", "family_name")
            ),
            "action steps": list(
                ActionStep.objects.order_by("engagement__title", "started_on").values_list(
                    "engagement__title", "title", "status", "started_on", "mastered_on"
                )
            ),
            "cycles": list(
                Cycle.objects.order_by("engagement__title", "number").values_list(
                    "engagement__title", "number", "opened_on", "closed_on", "studied_on"
                )
            ),
            "observations": list(
                Observation.objects.order_by("engagement__title", "started_at").values_list(
                    "engagement__title", "started_at", "duration_minutes", "moments", "scores"
                )
            ),
            "meetings": list(
                Meeting.objects.order_by("engagement__title", "starts_at").values_list(
                    "engagement__title", "starts_at", "status", "stage_notes", "guide"
                )
            ),
        }
        transaction.set_rollback(True)
    return rows


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(db):
    first, again, other = snapshot(7), snapshot(7), snapshot(8)
    assert first == again
    assert first["observations"]
    for key in first:
        assert first[key] != other[key], key


def test_seed_demo_if_empty_loads_once(db, capsys):
    call_command("seed_demo", "--if-empty")
    count = User.objects.count()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == count
    assert "already present" in capsys.readouterr().out


def test_seed_demo_says_what_it_loaded_and_demo_signins_lists_the_accounts(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "89 engagements, 1276 steps" in out  # 48 + school-based coaching and development
    assert "8 peer coaching teams" in out
    observations = Observation.objects.count()
    assert f"{observations} observations in {Cycle.objects.count()} cycles" in out
    call_command("demo_signins")
    out = capsys.readouterr().out
    for email, _what in demo_accounts():
        assert email in out
    assert DEMO_PASSWORD in out


def test_demo_signins_says_so_when_there_is_no_demo_district(db, capsys):
    call_command("demo_signins")
    assert "No demo accounts" in capsys.readouterr().out
