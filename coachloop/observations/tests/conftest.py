"""Shared set-up for the observation tests: Tom's current action step with three success
criteria in the instructional coaching engagement."""

import pytest

from coachloop.actionsteps.models import ActionStep, ActionStepStatus

CRITERIA = [
    "Students line up in silence",
    "Materials are out within 30 seconds",
    "The teacher narrates what goes well",
]


def make_step(world, engagement, *, title="Tight transitions", visibility="team", **extra):
    return ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility=visibility,
        title=title,
        success_criteria=list(CRITERIA),
        status=extra.pop("status", ActionStepStatus.CURRENT),
        **extra,
    )


@pytest.fixture
def step(world, instructional):
    return make_step(world, instructional)
