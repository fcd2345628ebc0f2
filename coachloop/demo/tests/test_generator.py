"""The demo district: realistic, deterministic, and usable with the printed sign-ins."""

from django.core.management import call_command
from django.db import transaction

from coachloop.accounts.models import User
from coachloop.demo.generator import DEMO_PASSWORD, demo_accounts, generate
from coachloop.engagements.models import Engagement
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


def snapshot(seed):
    with transaction.atomic():
        generate(size="demo", seed=seed)
        rows = list(
            User.objects.order_by("email").values_list("email", "given_name", "family_name")
        )
        transaction.set_rollback(True)
    return rows


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not(db):
    assert snapshot(7) == snapshot(7)
    assert snapshot(7) != snapshot(8)


def test_seed_demo_if_empty_loads_once(db, capsys):
    call_command("seed_demo", "--if-empty")
    count = User.objects.count()
    call_command("seed_demo", "--if-empty")
    assert User.objects.count() == count
    assert "already present" in capsys.readouterr().out


def test_seed_demo_says_what_it_loaded_and_demo_signins_lists_the_accounts(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "24 engagements, 744 steps" in out
    call_command("demo_signins")
    out = capsys.readouterr().out
    for email, _what in demo_accounts():
        assert email in out
    assert DEMO_PASSWORD in out


def test_demo_signins_says_so_when_there_is_no_demo_district(db, capsys):
    call_command("demo_signins")
    assert "No demo accounts" in capsys.readouterr().out
