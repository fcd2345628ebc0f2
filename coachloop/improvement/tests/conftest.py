"""Fixtures for school improvement: a closed survey of the Leadership for learning engagement
at Oak, Oak's improvement plan with two goals, and a chosen target area."""

import datetime

import pytest
from django.utils import timezone

from coachloop.improvement import services
from coachloop.surveys.models import Administration


def make_administration(lfl, world, *, closed=True, engagement=None, organisation=None):
    engagement = engagement or lfl.engagement
    return Administration.objects.create(
        organisation=organisation or engagement.organisation,
        engagement=engagement,
        version=lfl.instrument.current,
        title="Leadership for learning, autumn",
        roles=["teacher", "staff", "leader"],
        opens_on=datetime.date(2026, 9, 15),
        closes_on=datetime.date(2026, 10, 15),
        closed_at=timezone.now() if closed else None,
        visibility="sponsors",
        created_by=world.cora,
    )


@pytest.fixture
def adm(lfl, world):
    return make_administration(lfl, world)


@pytest.fixture
def plan(world):
    plan = services.plan_create(
        actor=world.lena, organisation=world.oak, title="Oak improvement plan 2026-27"
    )
    services.goal_add(
        actor=world.lena, plan=plan, title="Every pupil reads fluently", owner="Literacy lead"
    )
    services.goal_add(actor=world.lena, plan=plan, title="Attendance above 95%")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def area(lfl, world, adm):
    return services.target_area_choose(
        actor=world.lena,
        engagement=lfl.engagement,
        administration=adm,
        domain="monitoring",
        rationale="Lowest domain in the report",
    )


def future(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)
