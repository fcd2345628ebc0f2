"""The built-in Leadership for learning playbook (seed 002): its survey steps name a built-in
instrument, the new step kinds complete the right steps, and a survey step without its
instrument is refused with a message naming where."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from coachloop.engagements.models import StepStatus
from coachloop.engagements.services import record_event
from coachloop.playbooks import schema
from coachloop.playbooks.services import builtin_files
from coachloop.surveys import schema as instrument_schema
from coachloop.surveys.library import builtin_files as builtin_instrument_files
from coachloop.surveys.models import Instrument

KEY = "leadership-for-learning"


def lfl_file() -> Path:
    return next(p for p in builtin_files() if p.stem == KEY)


def lfl_spec() -> schema.Playbook:
    path = lfl_file()
    return schema.load(path.read_text(encoding="utf-8"), path.name)


def test_the_builtin_loads_with_its_step_kinds_and_partners() -> None:
    spec = lfl_spec()
    kinds = {step.kind for _phase, step in spec.steps()}
    assert {"survey", "resurvey", "target_areas", "school_actions", "check_in"} <= kinds
    assert "WIDA Professional Learning Workshops" in spec.partners
    assert spec.default_visibility("report") == "sponsors"


def test_its_survey_steps_name_a_builtin_instrument() -> None:
    steps = {step.key: step for _phase, step in lfl_spec().steps()}
    assert steps["survey"].instrument == KEY
    assert steps["resurvey"].instrument == KEY
    # the instrument ships as a file that validates...
    files = {p.stem: p for p in builtin_instrument_files()}
    instrument = instrument_schema.load(files[KEY].read_text(encoding="utf-8"), KEY)
    assert instrument.key == KEY
    assert instrument.kind == "school"


@pytest.mark.django_db
def test_the_instrument_is_loaded_as_a_builtin(lfl: Any) -> None:
    instrument = Instrument.objects.get(organisation=None, key=KEY)
    assert instrument.is_builtin
    assert instrument.current is not None
    assert instrument.current.spec.key == KEY


def _status(engagement: Any) -> dict[str, str]:
    return dict(engagement.steps.values_list("step_key", "status"))


@pytest.mark.django_db
def test_a_closed_survey_completes_the_survey_step_not_the_resurvey(lfl: Any, world: Any) -> None:
    engagement = lfl.engagement
    done = record_event(engagement, "survey", actor=world.cora, ref=KEY)
    assert [row.step_key for row in done] == ["survey"]
    status = _status(engagement)
    assert status["survey"] == StepStatus.DONE
    assert status["resurvey"] == StepStatus.OPEN


@pytest.mark.django_db
def test_a_closed_resurvey_completes_the_resurvey_step_only(lfl: Any, world: Any) -> None:
    engagement = lfl.engagement
    done = record_event(engagement, "resurvey", actor=world.cora, ref=KEY)
    assert [row.step_key for row in done] == ["resurvey"]
    status = _status(engagement)
    assert status["resurvey"] == StepStatus.DONE
    assert status["survey"] == StepStatus.OPEN


@pytest.mark.django_db
def test_another_instrument_completes_neither(lfl: Any, world: Any) -> None:
    engagement = lfl.engagement
    assert record_event(engagement, "survey", actor=world.cora, ref="leader-360") == []
    assert _status(engagement)["survey"] == StepStatus.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("target_areas", "target-areas"),
        ("school_actions", "action-steps"),
        ("check_in", "first-check-in"),
    ],
)
def test_the_plan_and_check_in_kinds_complete_their_steps(
    lfl: Any, world: Any, kind: str, key: str
) -> None:
    done = record_event(lfl.engagement, kind, actor=world.cora)
    assert [row.step_key for row in done] == [key]
    assert _status(lfl.engagement)[key] == StepStatus.DONE


@pytest.mark.parametrize("kind", ["survey", "resurvey"])
def test_a_survey_step_without_an_instrument_is_refused_with_its_path(kind: str) -> None:
    data = yaml.safe_load(lfl_file().read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    for p, phase in enumerate(broken["phases"]):
        for s, step in enumerate(phase["steps"]):
            if step.get("kind") == kind:
                del step["instrument"]
                where = f"phases[{p}].steps[{s}].instrument"
    with pytest.raises(schema.PlaybookError) as caught:
        schema.parse(broken, "lfl.yaml")
    assert f'lfl.yaml: {where}: a "{kind}" step must name its instrument' in caught.value.messages


def test_an_unknown_step_kind_is_refused() -> None:
    data = yaml.safe_load(lfl_file().read_text(encoding="utf-8"))
    data["phases"][0]["steps"][1]["kind"] = "questionnaire"
    with pytest.raises(schema.PlaybookError) as caught:
        schema.parse(data, "lfl.yaml")
    assert any("phases[0].steps[1].kind" in m for m in caught.value.messages)
