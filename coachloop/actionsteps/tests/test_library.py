"""The action-step library as a file: good CSV and YAML import, every problem named by its line,
nothing half-written, re-importing changes nothing, export then import gives the same library
(a property over generated libraries), the starter library, and who may import."""

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.actionsteps import library as lib
from coachloop.actionsteps import services
from coachloop.actionsteps.models import LibraryCategory, LibraryStep
from coachloop.lib.errors import DomainError

GOOD_CSV = """category,step,success_criteria,model,non_examples,category_description
Questioning,Wait after asking,"Waits three seconds | Does not repeat the question",Counts to four silently.,Answers own question.,Every student thinks hard.
Questioning,Cold call,"Asks the question first
Then names a student",,,
Routines,Entry routine,Starts within a minute,,,Lessons start fast.
"""

GOOD_YAML = """
- title: Questioning
  description: Every student thinks hard.
  steps:
    - title: Wait after asking
      success_criteria: [Waits three seconds, Does not repeat the question]
      model: Counts to four silently.
      non_examples: Answers own question.
      resources:
        - {title: Wait time video, url: "https://example.org/wait"}
    - title: Cold call
      success_criteria:
        - Asks the question first
        - Then names a student
- title: Routines
  description: Lessons start fast.
  steps:
    - title: Entry routine
      success_criteria: [Starts within a minute]
"""


def _import(world, text, filename, org=None):
    return services.library_import(
        actor=world.ada, organisation=org or world.district, text=text, filename=filename
    )


def _library(org):
    return [
        (
            c.title,
            c.description,
            [
                (s.title, s.success_criteria, s.model, s.non_examples)
                for s in c.steps.order_by("position")
            ],
        )
        for c in LibraryCategory.objects.filter(organisation=org).order_by("position")
    ]


EXPECTED = [
    (
        "Questioning",
        "Every student thinks hard.",
        [
            (
                "Wait after asking",
                ["Waits three seconds", "Does not repeat the question"],
                "Counts to four silently.",
                "Answers own question.",
            ),
            ("Cold call", ["Asks the question first", "Then names a student"], "", ""),
        ],
    ),
    ("Routines", "Lessons start fast.", [("Entry routine", ["Starts within a minute"], "", "")]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "filename"), [(GOOD_CSV, "lib.csv"), (GOOD_YAML, "lib.yaml")])
def test_a_good_file_imports_in_file_order_and_again_changes_nothing(world, text, filename):
    result = _import(world, text, filename)
    assert result.ok, result.problems
    assert (result.categories_created, result.steps_created) == (2, 3)
    assert _library(world.district) == EXPECTED
    again = _import(world, text, filename)
    assert again.ok
    assert again.changed == 0
    assert again.unchanged == 5
    assert _library(world.district) == EXPECTED


@pytest.mark.django_db
def test_yaml_resources_are_kept_and_a_csv_without_the_column_leaves_them_alone(world):
    _import(world, GOOD_YAML, "lib.yaml")
    step = LibraryStep.objects.get(title="Wait after asking")
    assert step.resources == [{"title": "Wait time video", "url": "https://example.org/wait"}]
    assert _import(world, GOOD_CSV, "lib.csv").changed == 0
    step.refresh_from_db()
    assert step.resources == [{"title": "Wait time video", "url": "https://example.org/wait"}]


@pytest.mark.django_db
def test_an_edited_file_updates_by_title_and_follows_the_new_order(world):
    _import(world, GOOD_CSV, "lib.csv")
    edited = """category,step,success_criteria
Routines,Entry routine,Starts within a minute | Greets at the door
Questioning,Cold call,Asks the question first | Then names a student
Questioning,Wait after asking,Waits three seconds | Does not repeat the question
"""
    result = _import(world, edited, "lib.csv")
    assert result.ok
    assert (result.categories_created, result.steps_created) == (0, 0)
    assert result.steps_updated == 3  # one new criterion, two new positions
    lib_now = _library(world.district)
    assert [c[0] for c in lib_now] == ["Routines", "Questioning"]
    assert lib_now[0][2][0][1] == ["Starts within a minute", "Greets at the door"]
    assert [s[0] for s in lib_now[1][2]] == ["Cold call", "Wait after asking"]
    # What the file does not mention (the descriptions' column is absent) is not wiped: the
    # description column is optional, and an absent description stays empty only on creation.
    assert LibraryStep.objects.filter(organisation=world.district).count() == 3


@pytest.mark.django_db
def test_every_problem_of_a_csv_is_named_by_its_line_and_nothing_is_written(world):
    bad = """category,step,success_criteria,model,non_examples,category_description
Questioning,Wait after asking,Waits three seconds,,,
Questioning,,Something,,,
Questioning,Cold call,,,,
,Orphan step,A criterion,,,
Questioning,"Multi
line title?",One,,,
Questioning,Wait after asking,Again,,,
Questioning,Too many,1|2,,,,,,,extra
Routines,Step,1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11,,,
"""
    result = _import(world, bad, "lib.csv")
    assert not result.ok
    by_line = {p.line: p.message for p in result.problems}
    assert "Give the action step a title." in by_line[3]
    assert "success criterion" in by_line[4]
    assert "Name the category" in by_line[5]
    # line 6 and 7 are one record (a quoted line break): the next record starts on line 8
    assert "already in “Questioning” on line 2" in by_line[8]
    assert "cells" in by_line[9]
    assert "10 success criteria at most" in by_line[10]
    assert LibraryCategory.objects.filter(organisation=world.district).count() == 0


@pytest.mark.django_db
def test_a_bad_header_or_a_conflicting_description_is_explained(world):
    result = _import(world, "title,criteria\nA,B\n", "lib.csv")
    assert result.problems[0].line == 1
    assert "Missing: category, step, success_criteria" in result.problems[0].message
    conflict = (
        "category,step,success_criteria,category_description\n"
        "Routines,A,x,One goal\nRoutines,B,y,Another goal\n"
    )
    problem = _import(world, conflict, "lib.csv").problems[0]
    assert problem.line == 3
    assert "another description on line 2" in problem.message


@pytest.mark.django_db
def test_yaml_problems_name_line_and_path_and_nothing_is_written(world):
    _import(world, GOOD_YAML, "lib.yaml")
    before = _library(world.district)
    bad = """- title: Questioning
  steps:
    - title: Wait after asking
      success_criteria: []
    - title: Wait after asking
      success_criteria: [x]
    - title: ""
      success_criteria: [y]
      colour: red
- title: Questioning
  steps: []
- just a string
"""
    result = _import(world, bad, "lib.yaml")
    assert not result.ok
    found: dict = {}
    for p in result.problems:
        found[(p.line, p.where)] = found.get((p.line, p.where), "") + p.message
    assert "at least one success criterion" in found[(3, "categories[1].steps[1]")]
    assert "already at categories[1].steps[1]" in found[(5, "categories[1].steps[2].title")]
    assert "Give the action step a title." in found[(7, "categories[1].steps[3]")]
    assert "Unknown key colour" in found[(7, "categories[1].steps[3]")]
    assert "already at categories[1]" in found[(10, "categories[2].title")]
    assert "A category has a title" in found[(12, "categories[3]")]
    assert _library(world.district) == before


@pytest.mark.django_db
def test_broken_yaml_and_other_files_say_what_is_wrong(world):
    assert "not valid YAML" in _import(world, "- title: [unclosed", "x.yaml").problems[0].message
    assert "list of categories" in _import(world, "title: x", "x.yaml").problems[0].message
    assert "UTF-8" in _import(world, "é".encode("latin-1"), "x.csv").problems[0].message
    assert "empty" in _import(world, "", "x.yaml").problems[0].message


@pytest.mark.django_db
def test_only_programme_administrators_of_the_organisation_import(world):
    with pytest.raises(DomainError) as refused:
        services.library_import(
            actor=world.cora, organisation=world.district, text=GOOD_CSV, filename="x.csv"
        )
    assert refused.value.status == 403
    with pytest.raises(DomainError):
        services.library_import(
            actor=world.bea, organisation=world.district, text=GOOD_CSV, filename="x.csv"
        )
    with pytest.raises(PermissionDenied):
        lib.library_import(
            actor=world.cora, organisation=world.district, text=GOOD_CSV, filename="x.csv"
        )
    assert not LibraryCategory.objects.exists()


@pytest.mark.django_db
def test_formula_cells_are_neutralised_in_csv_and_still_round_trip(world):
    text = """- title: "=Sums"
  steps:
    - title: "+1 for effort"
      success_criteria: ["-2 if late", "@mention"]
      model: "'=already quoted"
      non_examples: "'tis the season"
"""
    assert _import(world, text, "x.yaml").ok
    exported = services.library_export(world.district, "csv").decode()
    assert "'=Sums" in exported
    assert "'+1 for effort" in exported
    assert "''=already quoted" in exported
    assert ",'tis the season," in exported  # an apostrophe before a letter stays as it is
    assert _import(world, exported, "x.csv").changed == 0
    assert _import(world, exported, "x.csv", org=world.oak).ok
    assert _library(world.oak) == _library(world.district)


@pytest.mark.django_db
def test_the_starter_library_is_our_own_and_imports_once(world):
    result = services.library_start_from_starter(actor=world.ada, organisation=world.district)
    assert result.ok
    categories = LibraryCategory.objects.filter(organisation=world.district)
    assert categories.count() == 5
    for category in categories:
        steps = list(category.steps.all())
        assert 3 <= len(steps) <= 4
        for step in steps:
            assert 2 <= len(step.success_criteria) <= 4
            assert step.model
            assert step.non_examples
    with pytest.raises(DomainError) as again:
        services.library_start_from_starter(actor=world.ada, organisation=world.district)
    assert again.value.status == 409


# --- Round trip, as a property -------------------------------------------------------------------

_chars = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\x85\u2028\u2029",
)
_line = st.text(_chars, min_size=1, max_size=30).map(lib.clean_line).filter(bool)
_criterion = _line.filter(lambda t: lib.CRITERIA_SEPARATOR not in t)
_text = st.lists(st.text(_chars, max_size=30), max_size=3).map(
    lambda lines: lib.clean_text("\n".join(lines))
)
_resource = st.builds(
    lambda t, path: {"title": t, "url": f"https://example.org/{path}"},
    _line,
    st.text("abcxyz0189-_", max_size=8),
)
_step = st.builds(
    lambda title, criteria, model, non, res: lib.StepData(title, criteria, model, non, res),
    _line,
    st.lists(_criterion, min_size=1, max_size=4, unique_by=str.casefold),
    _text,
    _text,
    st.lists(_resource, max_size=2),
)
_category = st.builds(
    lambda title, description, steps: lib.CategoryData(title, description, steps),
    _line,
    _text,
    st.lists(_step, max_size=3, unique_by=lambda s: s.title.casefold()),
)
_library_data = st.lists(_category, min_size=1, max_size=3, unique_by=lambda c: c.title)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_library_data, format=st.sampled_from(["csv", "yaml"]))
def test_export_then_import_gives_the_same_library(world, data, format):
    LibraryCategory.objects.all().delete()
    source = lib.export_yaml(data)  # the generated library, written as a file
    first = _import(world, source, "source.yaml")
    assert first.ok, [str(p) for p in first.problems]
    exported = services.library_export(world.district, format)
    assert _import(world, exported, f"again.{format}").changed == 0
    copy = _import(world, exported, f"copy.{format}", org=world.oak)
    assert copy.ok, [str(p) for p in copy.problems]
    assert services.library_export(world.oak, format) == exported
    assert _library(world.oak) == _library(world.district)
    assert lib.library_data(world.district) == data
