"""The instrument file format (surveys.schema): every built-in file loads, and every broken file
is refused with messages that name the path of each problem. As properties: any valid
instrument survives dump() and load() unchanged, and none with k below 3 is accepted."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.surveys import schema
from coachloop.surveys.library import builtin_files

BUILTIN = Path(schema.__file__).parent / "instruments"


def small() -> dict[str, Any]:
    """A valid school survey, as decoded YAML, for the tests to break."""
    return {
        "format": 1,
        "key": "small",
        "name": "Small survey",
        "kind": "school",
        "roles": ["teacher", "staff"],
        "k": 5,
        "comment_k": 10,
        "scales": [
            {
                "key": "agree4",
                "label": "Agreement",
                "points": [
                    {"value": 1, "label": "Strongly disagree"},
                    {"value": 2, "label": "Disagree"},
                    {"value": 3, "label": "Agree"},
                    {"value": 4, "label": "Strongly agree"},
                ],
                "not_applicable": "Don't know",
            },
            {
                "key": "often5",
                "label": "Frequency",
                "kind": "frequency",
                "points": [{"value": v, "label": f"Level {v}"} for v in range(1, 6)],
            },
        ],
        "domains": [
            {
                "key": "focus",
                "title": "Focus",
                "items": [
                    {"key": "focus-1", "text": "We share goals.", "scale": "agree4"},
                    {"key": "focus-2", "text": "We talk about learning.", "scale": "agree4"},
                ],
            },
            {
                "key": "visits",
                "title": "Visits",
                "items": [
                    {"key": "visits-1", "text": "Leaders visit classes.", "scale": "often5"},
                ],
            },
        ],
        "questions": [{"key": "change", "prompt": "What would you change?"}],
    }


def messages(data, source="small.yaml") -> list[str]:
    with pytest.raises(schema.InstrumentError) as caught:
        schema.parse(data, source)
    return caught.value.messages


def broken(change) -> list[str]:
    data = small()
    change(data)
    return messages(data)


# --- The built-in instruments ---------------------------------------------------------------------


def test_the_builtin_instruments_are_those_of_the_issues():
    """Issue 6's four, and issue 7's coaching-experience feedback (seed 003)."""
    names = {path.name for path in builtin_files()}
    assert names == {
        "leadership-for-learning.yaml",
        "leader-360.yaml",
        "participant-feedback.yaml",
        "coaching-effectiveness.yaml",
        "coaching-experience.yaml",
    }


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.name)
def test_every_builtin_file_loads_and_survives_dump_and_load(path):
    spec = schema.load(path.read_text(encoding="utf-8"), path.name)
    assert spec.key == path.stem
    assert spec.k >= schema.MIN_K
    assert spec.comment_k >= spec.k
    assert schema.load(schema.dump(spec), path.name) == spec
    assert schema.unasked_roles(spec) == []


def test_the_leader_360_asks_the_leader_in_the_first_person_and_raters_in_the_third():
    spec = schema.load((BUILTIN / "leader-360.yaml").read_text(), "leader-360.yaml")
    assert spec.kind == "360"
    assert set(spec.roles) >= {"self", "supervisor", "peer", "staff"}
    assert 4 <= len(spec.domains) <= 6
    items = [item for _d, item in spec.items()]
    assert 20 <= len(items) <= 28
    assert all(item.text.startswith("This leader") for item in items if item.key != "culture-trust")
    assert all(
        item.self_text and item.self_text.startswith(("I ", "The people I")) for item in items
    )
    scale = spec.scales[0]
    assert (scale.low, scale.high, scale.not_applicable) == (1, 5, "Don't know")
    assert (spec.k, spec.comment_k) == (5, 10)
    assert len(spec.questions) == 2
    # the leader answers no free text: the raters' comments stay theirs
    assert all("self" not in q.roles and q.roles for q in spec.questions)


def test_the_coaching_effectiveness_form_has_the_four_levels_and_k_3():
    spec = schema.load(
        (BUILTIN / "coaching-effectiveness.yaml").read_text(), "coaching-effectiveness.yaml"
    )
    assert [d.key for d in spec.domains] == [
        "reaction",
        "self-awareness",
        "behaviour",
        "performance",
    ]
    assert all(len(d.items) == 3 for d in spec.domains)
    assert [p.label for p in spec.scales[0].points] == ["Not yet", "Beginning", "Clearly", "Fully"]
    assert spec.k == 3
    assert spec.kind == "feedback"


def test_the_participant_feedback_form_is_short_on_a_four_point_scale():
    spec = schema.load(
        (BUILTIN / "participant-feedback.yaml").read_text(), "participant-feedback.yaml"
    )
    assert spec.roles == ["participant"]
    assert {d.key for d in spec.domains} == {"relevance", "clarity", "use", "facilitator"}
    assert (spec.scales[0].low, spec.scales[0].high) == (1, 4)
    assert len(list(spec.items())) <= 12


# --- Broken files: every problem named by its path ------------------------------------------------


def test_the_small_instrument_is_valid():
    assert schema.parse(small(), "small.yaml").name == "Small survey"


def test_a_duplicate_item_id_across_domains_names_both_places():
    found = broken(lambda d: d["domains"][1]["items"][0].update(key="focus-1"))
    assert found == ['small.yaml: domains[1].items[0].key: another item already has key "focus-1"']


def test_a_duplicate_domain_is_refused():
    def change(d):
        d["domains"][1]["key"] = "focus"

    assert 'small.yaml: domains[1].key: another domain already has key "focus"' in broken(change)


def test_a_scale_with_no_labels_is_refused():
    found = broken(lambda d: d["scales"][0].update(points=[1, 2, 3, 4]))
    assert "small.yaml: scales[0].points[0]: write each point as a value and a label" in found[0]
    found = broken(lambda d: d["scales"][0]["points"][2].pop("label"))
    assert found == ["small.yaml: scales[0].points[2].label: required, but missing"]
    found = broken(lambda d: d["scales"][0]["points"][2].update(label="  "))
    assert found == ["small.yaml: scales[0].points[2].label: must not be empty"]


@pytest.mark.parametrize("points", [[], [{"value": 1, "label": "Only"}]])
def test_a_scale_needs_two_points(points):
    found = broken(lambda d: d["scales"][0].update(points=points))
    assert found == [
        "small.yaml: scales[0].points: a scale needs at least 2 points, each with a value and a "
        "label"
    ]


def test_unsorted_or_repeated_scale_values_are_refused():
    def unsorted(d):
        d["scales"][0]["points"].reverse()

    assert broken(unsorted) == [
        "small.yaml: scales[0].points: list the points from lowest to highest"
    ]

    def repeated(d):
        d["scales"][0]["points"][1]["value"] = 1

    assert broken(repeated) == ["small.yaml: scales[0].points: two points have the same value"]


def test_an_item_naming_an_unknown_scale_is_refused():
    found = broken(lambda d: d["domains"][0]["items"][1].update(scale="agree7"))
    assert found == ['small.yaml: domains[0].items[1].scale: no scale "agree7" in scales']


def test_an_item_role_outside_the_instruments_roles_is_refused():
    found = broken(lambda d: d["domains"][0]["items"][0].update(roles=["leader"]))
    assert found == [
        'small.yaml: domains[0].items[0].roles: "leader" is not one of the instrument\'s roles'
    ]
    found = broken(lambda d: d["questions"][0].update(roles=["supervisor"]))
    assert found == [
        'small.yaml: questions[0].roles: "supervisor" is not one of the instrument\'s roles'
    ]
    found = broken(lambda d: d["domains"][0]["items"][0].update(roles=["boss"]))
    assert found[0].startswith("small.yaml: domains[0].items[0].roles[0]: must be one of")


def test_a_role_asked_nothing_is_named():
    data = small()
    for domain in data["domains"]:
        for item in domain["items"]:
            item["roles"] = ["teacher"]
    spec = schema.parse(data, "small.yaml")
    message = 'no item is asked of "staff": add it to an item\'s roles, or remove it'
    assert schema.unasked_roles(spec) == [schema.Problem("roles[1]", message)]
    assert schema.unasked_roles(schema.parse(small(), "small.yaml")) == []


@pytest.mark.parametrize("k", [0, 1, 2])
def test_k_below_3_is_refused(k):
    found = broken(lambda d: d.update(k=k))
    assert found[0] == (
        "small.yaml: k: must be at least 3: results of smaller groups could identify the people "
        "who answered"
    )


def test_comment_k_below_k_is_refused():
    found = broken(lambda d: d.update(k=6, comment_k=5))
    assert found == ["small.yaml: comment_k: must be at least k (6): comments need a larger group"]
    assert broken(lambda d: d.update(comment_k=2))[0].startswith(
        "small.yaml: comment_k: must be at least 3"
    )


def test_self_in_a_school_survey_is_refused():
    found = broken(lambda d: d.update(roles=["teacher", "staff", "self"]))
    assert found == ['small.yaml: roles: only 360 and self instruments have the "self" role']


def test_a_360_without_self_is_refused():
    found = broken(lambda d: d.update(kind="360", roles=["peer", "supervisor"]))
    assert found == ['small.yaml: roles: a 360 needs the "self" role']
    data = small()
    data.update(kind="360", roles=["self", "peer"])
    assert schema.parse(data, "small.yaml").kind == "360"


def test_a_self_assessment_has_only_the_self_role():
    found = broken(lambda d: d.update(kind="self", roles=["self", "peer"]))
    assert found == ['small.yaml: roles: a self-assessment has the one role "self"']


def test_a_domain_mixing_four_and_five_point_scales_is_refused():
    found = broken(lambda d: d["domains"][0]["items"][1].update(scale="often5"))
    assert found == [
        "small.yaml: domains[0].items: every item of a domain must use scales with the same "
        "range, so that its score means one thing"
    ]


@pytest.mark.parametrize("target", [0.5, 5.5, 9])
def test_target_below_off_the_scale_is_refused(target):
    found = broken(lambda d: d.update(target_below=target))
    assert found == ["small.yaml: target_below: must lie on the scale, 1 to 5"]


def test_target_below_on_the_scale_is_kept():
    data = small()
    data["target_below"] = 2.5
    assert schema.parse(data, "small.yaml").target_below == 2.5


def test_invalid_yaml_names_the_line_and_column():
    text = "format: 1\nkey: small\nname: [unclosed\nkind: school\n"
    with pytest.raises(schema.InstrumentError) as caught:
        schema.load(text, "small.yaml")
    (message,) = caught.value.messages
    assert message.startswith("small.yaml: line ")
    assert ", column " in message
    assert "not valid YAML" in message


def test_invalid_json_names_the_line_and_column():
    with pytest.raises(schema.InstrumentError) as caught:
        schema.load('{"format": 1,\n  "key": }', "small.json")
    assert caught.value.messages == [
        "small.json: line 2, column 10: not valid JSON: Expecting value"
    ]


def test_a_yaml_flow_mapping_is_not_mistaken_for_json():
    text = yaml.safe_dump(small(), default_flow_style=True)
    assert text.startswith("{")
    assert schema.load(text, "small.yaml") == schema.parse(small(), "small.yaml")


def test_a_json_file_loads_like_yaml():
    import json

    text = json.dumps(small(), indent="\t")
    assert schema.load(text, "small.json") == schema.parse(small(), "small.json")


def test_unknown_keys_are_refused_everywhere():
    def change(d):
        d["colour"] = "blue"
        d["domains"][0]["items"][0]["weight"] = 2
        d["scales"][1]["points"][0]["score"] = 1

    found = broken(change)
    hint = "unknown key; check its spelling against docs/instruments.md"
    assert f"small.yaml: colour: {hint}" in found
    assert f"small.yaml: domains[0].items[0].weight: {hint}" in found
    assert f"small.yaml: scales[1].points[0].score: {hint}" in found


def test_not_a_mapping_and_a_bad_key_are_explained():
    assert messages(["a", "list"]) == ["small.yaml: an instrument is a mapping of keys to values"]
    found = broken(lambda d: d["domains"][0]["items"][0].update(key="Focus 1"))
    assert found[0].startswith("small.yaml: domains[0].items[0].key: use lower-case letters")


def test_several_problems_are_all_listed():
    def change(d):
        d["domains"][1]["items"][0]["key"] = "focus-2"
        d["domains"][0]["items"][0]["scale"] = "nope"
        d["comment_k"] = 4

    found = broken(change)
    assert len(found) == 3


# --- Properties -----------------------------------------------------------------------------------

#: keys that YAML would read as something else than a string if they were not quoted
TRICKY_KEYS = ["yes", "no", "null", "on", "off", "true", "1", "0", "1e3", "0x1f", "y", "n"]
TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
ROLE_SETS = {
    "school": st.sampled_from([["teacher"], ["teacher", "staff"], ["teacher", "staff", "leader"]]),
    "360": st.sampled_from([["self", "peer"], ["self", "supervisor", "peer", "staff"]]),
    "feedback": st.sampled_from([["participant"], ["participant", "peer"]]),
    "self": st.just(["self"]),
}


@st.composite
def instruments(draw):
    """Valid instruments: unique keys, scales in order, each domain on one range."""
    kind = draw(st.sampled_from(sorted(ROLE_SETS)))
    roles = draw(ROLE_SETS[kind])
    keys = iter(draw(st.permutations(TRICKY_KEYS + [f"k{i}" for i in range(40)])))
    n_scales = draw(st.integers(1, 3))
    scales = []
    for _ in range(n_scales):
        values = sorted(draw(st.sets(st.integers(0, 100), min_size=2, max_size=7)))
        scale = {
            "key": next(keys),
            "label": draw(TEXT),
            "kind": draw(st.sampled_from(["likert", "frequency"])),
            "points": [{"value": v, "label": draw(TEXT)} for v in values],
        }
        if draw(st.booleans()):
            scale["not_applicable"] = draw(TEXT)
        scales.append(scale)
    domains = []
    for _ in range(draw(st.integers(1, 4))):
        scale = draw(st.sampled_from(scales))
        items = []
        for _ in range(draw(st.integers(1, 4))):
            item = {"key": next(keys), "text": draw(TEXT), "scale": scale["key"]}
            if kind == "360" and draw(st.booleans()):
                item["self_text"] = draw(TEXT)
            if draw(st.booleans()):
                item["roles"] = draw(st.lists(st.sampled_from(roles), min_size=1, unique=True))
            items.append(item)
        domains.append({"key": next(keys), "title": draw(TEXT), "items": items})
    # every role is asked at least the first item
    domains[0]["items"][0].pop("roles", None)
    k_value = draw(st.integers(min_value=3, max_value=30))
    data = {
        "format": 1,
        "key": next(keys),
        "name": draw(TEXT),
        "kind": kind,
        "roles": roles,
        "k": k_value,
        "comment_k": draw(st.integers(k_value, 1000)),
        "highlight": draw(st.integers(1, 10)),
        "scales": scales,
        "domains": domains,
        "questions": [
            {"key": next(keys), "prompt": draw(TEXT)} for _ in range(draw(st.integers(0, 2)))
        ],
    }
    if draw(st.booleans()):
        low = min(p["value"] for s in scales for p in s["points"])
        high = max(p["value"] for s in scales for p in s["points"])
        data["target_below"] = draw(
            st.floats(low, high, allow_nan=False).map(lambda f: round(f, 2))
        )
    for key in ("summary", "source", "introduction"):
        if draw(st.booleans()):
            data[key] = draw(TEXT)
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments())
def test_any_valid_instrument_survives_dump_and_load_unchanged(data):
    spec = schema.parse(copy.deepcopy(data), "generated.yaml")
    text = schema.dump(spec)
    again = schema.load(text, "generated.yaml")
    assert again == spec
    assert again.digest() == spec.digest()
    # and the dumped text is plain YAML of the file format, not Python objects
    assert yaml.safe_load(text)["key"] == data["key"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments(), st.integers(min_value=-5, max_value=2))
def test_no_instrument_with_k_below_3_is_accepted(data, k):
    data["k"] = k
    with pytest.raises(schema.InstrumentError) as caught:
        schema.parse(data, "generated.yaml")
    assert any(p.path == "k" for p in caught.value.problems)
    with pytest.raises(schema.InstrumentError):
        schema.load(yaml.safe_dump(data), "generated.yaml")
