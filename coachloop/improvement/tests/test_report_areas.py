"""The areas offered when choosing target areas: the instrument's domains and items, with the
report's strengths and target areas marked from the aggregation engine (never computed here),
and those already chosen left out of the choices."""

from types import SimpleNamespace

import pytest

from coachloop.improvement import selectors, services
from coachloop.surveys import engine

pytestmark = pytest.mark.django_db


def highlight(kind, key):
    return engine.Highlight(kind=kind, key=key, title=key, mean=3.0, low=2.5, high=3.5)


def test_the_engine_marks_strengths_and_targets(monkeypatch, lfl, adm, world, signed_in):
    report = SimpleNamespace(
        strengths=(highlight("domain", "focus"),),
        targets=(highlight("item", "monitoring-visits"),),
        below_target=(highlight("item", "monitoring-visits"), highlight("item", "focus-goals")),
    )
    monkeypatch.setattr(engine, "school_report", lambda administration, **kw: report)
    menu = selectors.area_menu(adm, lfl.engagement)
    assert menu.from_report
    marked = {(c.domain, c.item): c.marked for c in menu.choices if c.marked}
    assert marked == {
        ("focus", ""): "strength",
        ("monitoring", "monitoring-visits"): "target",
        ("focus", "focus-goals"): "target",
    }
    page = signed_in(world.lena).get(f"/engagements/{lfl.engagement.pk}/improvement/targets/new/")
    assert "Leaders visit classrooms to see teaching and learning. — report: target area" in (
        page.content.decode()
    )


def test_the_real_engine_on_a_survey_without_answers_marks_nothing(lfl, adm):
    menu = selectors.area_menu(adm, lfl.engagement)
    assert [c for c in menu.choices if c.marked] == []
    domains = [c for c in menu.choices if not c.item]
    assert [d.domain for d in domains] == [d.key for d in adm.spec.domains]


def test_chosen_areas_are_not_offered_again(lfl, adm, world):
    services.target_area_choose(
        actor=world.lena, engagement=lfl.engagement, administration=adm, domain="focus"
    )
    menu = selectors.area_menu(adm, lfl.engagement)
    chosen = [c for c in menu.choices if c.chosen]
    assert [(c.domain, c.item) for c in chosen] == [("focus", "")]
