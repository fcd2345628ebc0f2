"""The format's parts for repeated coaching cycles (seed 004): the `cycle` section, the
`action_step` and `observation` step kinds, and agenda stages with tips and a guide tool. Each
mistake names its path, and the built-in instructional playbook carries the seed's stages."""

import copy

from coachloop.playbooks import schema
from coachloop.playbooks.services import builtin_files
from coachloop.playbooks.tests.test_format import MINIMAL, problems_of

FEEDBACK = {
    "key": "feedback",
    "title": "Feedback meeting",
    "minutes": 30,
    "agenda": [
        {"title": "Praise", "minutes": 2, "tips": ["Be specific"]},
        {"title": "Practice", "minutes": 10, "tool": "practice"},
    ],
}


def cyclic(**cycle):
    data = copy.deepcopy(MINIMAL)
    data["meeting_types"] = [copy.deepcopy(FEEDBACK)]
    data["cycle"] = {"meeting": "feedback", **cycle}
    data["phases"][0]["steps"].append(
        {"key": "obs", "title": "Observe", "owner": "coach", "due_days": 5, "kind": "observation"}
    )
    return data


def test_a_cycle_playbook_loads_with_its_defaults():
    spec = schema.parse(cyclic(), "tiny.yaml")
    assert spec.cycle is not None
    assert spec.cycle.current_steps == 1
    assert spec.cycle.observation_minutes == 15
    assert spec.meeting_type("feedback").agenda[0].tips == ["Be specific"]
    assert spec.meeting_type("feedback").agenda[1].tool == "practice"
    assert spec.default_visibility("observation") == "team"
    assert spec.default_visibility("action_step") == "team"


def test_the_cycle_names_a_meeting_type_and_rubric_that_exist():
    messages = problems_of(cyclic(meeting="meet", observation_rubric="lesson"))
    assert 'tiny.yaml: cycle.meeting: no meeting type "meet" in meeting_types' in messages
    assert 'tiny.yaml: cycle.observation_rubric: no rubric "lesson" in rubrics' in messages


def test_observation_steps_and_practice_tools_need_a_cycle():
    data = cyclic()
    del data["cycle"]
    messages = problems_of(data)
    assert 'tiny.yaml: phases[0].steps[1].kind: a "observation" step needs a cycle' in messages
    assert (
        'tiny.yaml: meeting_types[0].agenda[1].tool: the "practice" tool works on action '
        "steps; add a cycle" in messages
    )


def test_a_playbook_may_allow_a_few_current_steps_but_not_none_or_many():
    assert schema.parse(cyclic(current_steps=3), "tiny.yaml").cycle.current_steps == 3
    assert any("cycle.current_steps" in m for m in problems_of(cyclic(current_steps=0)))
    assert any("cycle.current_steps" in m for m in problems_of(cyclic(current_steps=9)))


def test_an_unknown_tool_is_refused_with_the_choices():
    data = cyclic()
    data["meeting_types"][0]["agenda"][0]["tool"] = "timer"
    (message,) = [m for m in problems_of(data) if "agenda[0].tool" in m]
    assert "must be one of" in message
    assert "'practice'" in message


def test_the_builtin_instructional_playbook_has_the_seed_feedback_meeting():
    path = next(p for p in builtin_files() if p.name == "instructional-coaching.yaml")
    spec = schema.load(path.read_text(), path.name)
    assert spec.cycle is not None
    meeting = spec.meeting_type(spec.cycle.meeting)
    assert [(s.title, s.minutes) for s in meeting.agenda] == [
        ("Praise", 2),
        ("Action step & modelling", 8),
        ("Discussion", 8),
        ("Practice", 10),
        ("Plan", 2),
    ]
    assert [s.tool for s in meeting.agenda] == ["notes", "action_step", "notes", "practice", "plan"]
    assert "Re-practise for fluency" in meeting.agenda[3].tips
    assert "Use non-examples" in meeting.agenda[1].tips
    kinds = {step.kind for _phase, step in spec.steps()}
    assert {"agreement", "observation", "action_step", "meeting"} <= kinds
