"""The goal import as properties: any table of valid rows imports exactly those goals, in order,
after the plan's own; any table with one bad row writes nothing and names that row's line."""

import csv
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.improvement import imports, services

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).map(str.strip)
TITLE = TEXT.filter(bool)
ROW = st.tuples(TITLE, TEXT, TEXT)
ROWS = st.lists(ROW, min_size=1, max_size=12)


def as_csv(rows, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["goal", "owner", "measure"])
    writer.writerows(rows)
    return out.getvalue().encode()


@given(rows=ROWS, delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_valid_csv_parses_to_exactly_its_rows(rows, delimiter):
    goals = imports.parse_file(as_csv(rows, delimiter), "goals.csv")
    assert [(g.title, g.owner, g.measure) for g in goals] == rows
    assert [g.line for g in goals] == list(range(2, len(rows) + 2))


@given(rows=ROWS, data=st.data())
def test_one_bad_row_is_named_by_its_line(rows, data):
    position = data.draw(st.integers(0, len(rows)))
    bad = ("", data.draw(TITLE), "")  # an owner without a goal
    table = [("goal", "owner", "measure"), *rows[:position], bad, *rows[position:]]
    with pytest.raises(imports.ImportProblems) as problems:
        imports.parse_table(table)
    assert problems.value.problems == [f"Line {position + 2}: the goal is empty."]


@pytest.mark.django_db
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, data=st.data())
def test_the_service_writes_all_valid_rows_or_nothing(world, plan, rows, data):
    before = list(plan.goals.order_by("order", "id").values_list("title", flat=True))
    spoil = data.draw(st.booleans())
    table = list(rows)
    if spoil:
        table.insert(data.draw(st.integers(0, len(rows))), ("", "", "measure without a goal"))
    with transaction.atomic():
        plan.refresh_from_db()
        if spoil:
            with pytest.raises(imports.ImportProblems):
                services.goals_import(
                    actor=world.lena, plan=plan, data=as_csv(table), filename="goals.csv"
                )
            expected = before
        else:
            services.goals_import(
                actor=world.lena, plan=plan, data=as_csv(table), filename="goals.csv"
            )
            expected = before + [title for title, _owner, _measure in rows]
        after = list(plan.goals.order_by("order", "id").values_list("title", flat=True))
        transaction.set_rollback(True)
    assert after == expected
