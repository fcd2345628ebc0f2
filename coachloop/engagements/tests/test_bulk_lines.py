"""Bulk creation reports problems by the line numbers the user sees, blank lines and a header
included, and creates nothing when any line is wrong."""

import pytest

from coachloop.engagements import services
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError


def test_line_numbers_count_blank_lines_and_the_header(world):
    before = Engagement.objects.count()
    text = (
        "Performer email, coach email, sponsor email, district representative email, start\n"
        "tom@a.test, cora@a.test, lena@a.test, dan@a.test, 2026-09-01\n"
        "\n"
        "nobody@a.test, cora@a.test, lena@a.test, , 2026-09-01\n"
        "tom@a.test, cora@a.test, lena@a.test, , 1 Sept\n"
    )
    with pytest.raises(DomainError) as caught:
        services.engagements_bulk_create(
            actor=world.ada, programme=world.engagement.programme, text=text
        )
    lines = caught.value.errors["lines"].splitlines()
    assert lines[0].startswith("Line 4: nobody in your organisations has the email nobody@a.test")
    assert lines[1].startswith("Line 5: “1 Sept” is not a date")
    assert len(lines) == 2
    assert Engagement.objects.count() == before


def test_good_lines_each_become_an_engagement(world):
    text = "\ntom@a.test, cora@a.test, lena@a.test, dan@a.test, 2026-10-01\ntom@a.test, cora@a.test, lena@a.test, , 2026-11-01, 2027-03-01\n"
    created = services.engagements_bulk_create(
        actor=world.ada, programme=world.engagement.programme, text=text
    )
    assert [e.starts_on.isoformat() for e in created] == ["2026-10-01", "2026-11-01"]
    assert all(e.steps.count() == 31 for e in created)
