"""The playbook file format: every built-in loads, and broken files give the promised messages
(the file, the path inside it, the problem)."""

import copy

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook
from coachloop.playbooks.services import builtin_files, sync_builtin

MINIMAL = {
    "format": 1,
    "key": "tiny",
    "name": "Tiny",
    "roles": {"coach": {"label": "Coach"}, "coachee": {"label": "Coachee"}},
    "forms": [
        {"key": "notes", "title": "Notes", "fields": [{"key": "text", "label": "Text"}]},
    ],
    "phases": [
        {
            "key": "one",
            "title": "One",
            "steps": [
                {
                    "key": "s1",
                    "title": "Fill in",
                    "owner": "coach",
                    "due_days": 3,
                    "kind": "form",
                    "form": "notes",
                }
            ],
        }
    ],
}


def problems_of(data, source="tiny.yaml"):
    with pytest.raises(schema.PlaybookError) as caught:
        schema.load(yaml.safe_dump(data), source)
    return caught.value.messages


def with_change(change):
    data = copy.deepcopy(MINIMAL)
    change(data)
    return data


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.name)
def test_every_builtin_playbook_loads(path):
    spec = schema.load(path.read_text(), path.name)
    assert spec.phases
    assert schema.load(schema.dump(spec), path.name) == spec  # dump and load round-trip


def test_performance_coaching_follows_seed_000():
    spec = schema.load((builtin_files()[0].parent / "performance-coaching.yaml").read_text(), "p")
    assert [p.title for p in spec.phases] == ["Pre-coaching", "Plan", "Do", "Check", "Act"]
    assert spec.plan is not None
    assert spec.plan.short_name == "IPCAP"
    assert spec.plan.approval == "sponsor"
    assert spec.role_label("coachee") == "Performer"
    kinds = {s.kind for _p, s in spec.steps()}
    assert kinds >= {
        "agreement",
        "meeting",
        "form",
        "plan",
        "plan_approval",
        "feedback",
        "score",
        "portfolio",
    }
    feedback_form = spec.form("participant-feedback")
    assert feedback_form.anonymous
    assert feedback_form.min_responses >= 3


def test_a_minimal_playbook_loads():
    spec = schema.load(yaml.safe_dump(MINIMAL), "tiny.yaml")
    assert spec.default_visibility("note") == "team"


def test_an_unknown_key_is_named_with_its_path():
    data = with_change(lambda d: d["phases"][0]["steps"][0].update(colour="red"))
    assert problems_of(data) == [
        "tiny.yaml: phases[0].steps[0].colour: unknown key; check its spelling against docs/playbooks.md"
    ]


def test_a_missing_phase_list_is_reported():
    data = with_change(lambda d: d.pop("phases"))
    assert problems_of(data) == ["tiny.yaml: phases: required, but missing"]


def test_an_empty_phase_list_is_reported():
    data = with_change(lambda d: d.update(phases=[]))
    assert problems_of(data) == ["tiny.yaml: phases: must not be empty"]


def test_a_step_referring_to_an_absent_form_is_reported():
    data = with_change(lambda d: d["phases"][0]["steps"][0].update(form="scoring"))
    assert problems_of(data) == ['tiny.yaml: phases[0].steps[0].form: no form "scoring" in forms']


def test_a_form_step_without_its_form_is_reported():
    data = with_change(lambda d: d["phases"][0]["steps"][0].pop("form"))
    assert problems_of(data) == [
        'tiny.yaml: phases[0].steps[0].form: a "form" step must name its form'
    ]


def test_an_unknown_role_and_a_negative_due_day_are_both_reported():
    def change(d):
        d["phases"][0]["steps"][0].update(owner="principal", due_days=-2)

    messages = problems_of(with_change(change))
    assert any(
        m.startswith("tiny.yaml: phases[0].steps[0].owner: must be one of") for m in messages
    )
    assert "tiny.yaml: phases[0].steps[0].due_days: must be greater than or equal to 0" in messages


def test_duplicate_keys_are_reported():
    def change(d):
        d["phases"].append(copy.deepcopy(d["phases"][0]))

    messages = problems_of(with_change(change))
    assert 'tiny.yaml: phases[1].key: another phase already has key "one"' in messages
    assert 'tiny.yaml: phases[1].steps[0].key: another step already has key "s1"' in messages


def test_an_anonymity_threshold_below_three_is_refused():
    def change(d):
        d["forms"][0].update(anonymous=True, min_responses=2)

    assert problems_of(with_change(change)) == [
        "tiny.yaml: forms[0].min_responses: must be greater than or equal to 3"
    ]


def test_a_plan_the_approver_could_not_read_is_refused():
    def change(d):
        d["roles"]["sponsor"] = {"label": "Sponsor"}
        d["plan"] = {"name": "Plan", "short_name": "Plan", "approval": "sponsor"}
        d["visibility"] = {"plan": "team"}

    assert problems_of(with_change(change)) == [
        "tiny.yaml: visibility.plan: the plan's approver could not read it; use sponsors or programme"
    ]


def test_an_agenda_longer_than_its_meeting_is_refused():
    def change(d):
        d["meeting_types"] = [
            {
                "key": "m",
                "title": "M",
                "minutes": 30,
                "agenda": [{"title": "A", "minutes": 20}, {"title": "B", "minutes": 15}],
            }
        ]

    assert problems_of(with_change(change)) == [
        "tiny.yaml: meeting_types[0].agenda: the stages take 35 minutes, more than the meeting's 30"
    ]


def test_invalid_yaml_names_the_line():
    with pytest.raises(schema.PlaybookError) as caught:
        schema.load("key: [unclosed\nname: x\n", "broken.yaml")
    assert caught.value.messages[0].startswith("broken.yaml: line 2")


def test_a_file_that_is_not_a_mapping_is_refused():
    with pytest.raises(schema.PlaybookError, match="a playbook is a mapping"):
        schema.load("- one\n- two\n", "list.yaml")


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=5), max_size=4
    )
)
def test_arbitrary_extra_top_level_keys_never_load_silently(extra):
    data = copy.deepcopy(MINIMAL)
    unknown = {k: v for k, v in extra.items() if k not in schema.Playbook.model_fields}
    data.update(unknown)
    if not unknown:
        schema.parse(data, "tiny.yaml")
        return
    with pytest.raises(schema.PlaybookError) as caught:
        schema.parse(data, "tiny.yaml")
    named = " ".join(caught.value.messages)
    assert all(f"tiny.yaml: {k}: unknown key" in named for k in unknown)


@pytest.mark.django_db
def test_builtins_are_loaded_at_migrate_time_and_versioned_only_on_change(tmp_path):
    playbook = Playbook.objects.get(organisation=None, key="performance-coaching")
    assert playbook.current is not None
    assert playbook.current.spec.name == "Performance coaching"
    path = next(p for p in builtin_files() if p.name == "performance-coaching.yaml")
    assert sync_builtin(path).number == playbook.current.number  # unchanged: no new version
    changed = tmp_path / path.name
    changed.write_text(
        path.read_text().replace(
            "name: Performance coaching", "name: Performance coaching (2027)", 1
        )
    )
    version = sync_builtin(changed)
    assert version.number == playbook.current.number + 1
    playbook.refresh_from_db()
    assert playbook.name == "Performance coaching (2027)"


def test_check_playbook_command_reports_problems(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(MINIMAL))
    call_command("check_playbook", str(good))
    assert "good.yaml: valid: Tiny, 1 phases, 1 steps" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(with_change(lambda d: d["phases"][0]["steps"][0].update(form="x")))
    )
    with pytest.raises(
        CommandError, match=r'bad.yaml: phases\[0\].steps\[0\].form: no form "x" in forms'
    ):
        call_command("check_playbook", str(bad))


def test_the_example_in_the_documentation_is_a_valid_playbook():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "playbooks.md").read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = schema.load(example, "docs/playbooks.md")
    assert spec.role_label("coachee") == "Performer"
    assert spec.cadence is not None
    assert spec.cadence.in_person is not None


def test_a_form_step_cannot_use_an_anonymous_form():
    def change(d):
        d["forms"][0]["anonymous"] = True

    assert problems_of(with_change(change)) == [
        'tiny.yaml: phases[0].steps[0].form: an anonymous form is collected by a "feedback" step'
    ]
