"""Fixtures shared by every test: a clean cache (rate limits, TOTP replay) and the personas."""

import pytest
from django.core.cache import cache

from coachloop.testing.personas import World, build_world


@pytest.fixture(autouse=True)
def _clear_cache():
    from coachloop.surveys import engine

    cache.clear()
    engine.forget()
    yield
    cache.clear()
    engine.forget()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def instructional(world):
    """An instructional coaching engagement (seed 004) between Cora and Tom, in `world`."""
    from coachloop.testing.personas import build_instructional

    return build_instructional(world)


@pytest.fixture
def signed_in(client):
    """Sign a persona in through the session, past the second-factor requirement."""
    from allauth.mfa.models import Authenticator

    def sign_in(user):
        Authenticator.objects.get_or_create(
            user=user,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}},
        )
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def peer(world):
    """A peer coaching team (seed 001): Pia and Paul, supervisor Sue, in `world`."""
    from coachloop.testing.personas import build_peer

    return build_peer(world)


@pytest.fixture
def lfl(world):
    """A Leadership for learning engagement at Oak with its staff (seed 002), in `world`."""
    from coachloop.testing.personas import build_lfl

    return build_lfl(world)


@pytest.fixture
def coachdev(world):
    """Coaching the coaches (seed 003) in `world`: Cora coaches five teachers and Carl two in an
    instructional programme; lead coach Lola develops Cora. See `CoachDevelopment`."""
    from coachloop.testing.personas import build_coach_development

    return build_coach_development(world)
