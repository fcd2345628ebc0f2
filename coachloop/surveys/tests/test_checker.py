"""The independent anonymity checker finds the classic leaks when handed them directly, and
nothing in safe sets of figures. It is a test helper, so it is tested on its own first: a checker
that cannot fail would make every anonymity property pass."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coachloop.surveys.tests.checker import (
    Fig,
    Respondent,
    certificate,
    check,
    isolated_groups,
    rank,
)

K = 5
ALL = None


def people(*groups: tuple[str, int], administration: int = 1, start: int = 0) -> list[Respondent]:
    """Respondents of one administration: ("teacher", 6), ("leader", 2), ... with ids from
    `start` and wave = arrival index // K."""
    out: list[Respondent] = []
    i = start
    for role, count in groups:
        for _ in range(count):
            wave = None if role == "self" else (i - start) // K
            out.append(Respondent(id=i, administration=administration, role=role, wave=wave))
            i += 1
    return out


def fig(quantity: str, roles: frozenset[str] | None, n: int, *, adm=(1,), waves=None) -> Fig:
    return Fig(administrations=adm, roles=roles, waves=waves, quantity=quantity, n=n)


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def kinds(leaks) -> set[str]:
    return {leak.kind for leak in leaks}


def isolated(leaks) -> list[frozenset[int]]:
    return [leak.respondents for leak in leaks if leak.kind == "isolated"]


# --- exact rank ----------------------------------------------------------------------------------


def test_rank_by_hand():
    assert rank([]) == 0
    assert rank([[0, 0], [0, 0]]) == 0
    assert rank([[1, 1, 0], [0, 1, 1], [1, 2, 1]]) == 2  # third = first + second
    assert rank([[1, 1, 0], [0, 1, 1], [1, 0, 1]]) == 3  # over the rationals, not mod 2
    assert rank([[2, 4], [1, 2]]) == 1


# --- the classic leaks ---------------------------------------------------------------------------


def test_a_role_of_two_shown_on_its_own_is_below_k():
    universe = people(("teacher", 10), ("leader", 2))
    leaks = check(universe, [fig("count", ALL, 12), fig("count", roles("leader"), 2)], k=K)
    assert "below-k" in kinds(leaks)


def test_a_role_next_to_all_isolates_the_rest():
    universe = people(("teacher", 10), ("leader", 2))
    leaks = check(universe, [fig("item:x", ALL, 12), fig("item:x", roles("teacher"), 10)], k=K)
    leaders = frozenset(r.id for r in universe if r.role == "leader")
    assert isolated(leaks) == [leaders]
    assert kinds(leaks) == {"isolated"}  # every figure on its own is at least k


def test_all_minus_a_role_of_k_reveals_the_small_rest():
    # teachers are exactly k; all minus teachers leaves the 3 others
    universe = people(("teacher", 5), ("staff", 2), ("leader", 1))
    leaks = check(universe, [fig("domain:d", ALL, 8), fig("domain:d", roles("teacher"), 5)], k=K)
    assert isolated(leaks) == [frozenset(r.id for r in universe if r.role != "teacher")]


def test_all_and_all_but_one_role_reveal_that_role():
    universe = people(("teacher", 6), ("staff", 6), ("leader", 2))
    leaks = check(
        universe,
        [fig("item:x", ALL, 14), fig("item:x", roles("teacher", "staff"), 12)],
        k=K,
    )
    assert isolated(leaks) == [frozenset(r.id for r in universe if r.role == "leader")]


def test_teachers_and_staff_published_leave_two_leaders_over():
    universe = people(("teacher", 6), ("staff", 5), ("leader", 2))
    figures = [
        fig("domain:d", ALL, 13),
        fig("domain:d", roles("teacher"), 6),
        fig("domain:d", roles("staff"), 5),
    ]
    leaks = check(universe, figures, k=K)
    assert isolated(leaks) == [frozenset(r.id for r in universe if r.role == "leader")]


def test_two_live_snapshots_one_response_apart():
    # as if each response were its own wave: live views after 6 and after 7 responses
    universe = [Respondent(id=i, administration=1, role="teacher", wave=i) for i in range(10)]
    leaks = check(
        universe,
        [fig("item:x", ALL, 6, waves=6), fig("item:x", ALL, 7, waves=7)],
        k=K,
    )
    assert isolated(leaks) == [frozenset({6})]


def test_a_final_report_and_a_live_view_two_apart():
    universe = people(("teacher", 12))  # waves 0, 0, .. 1, .. 2, 2
    leaks = check(universe, [fig("item:x", ALL, 10, waves=2), fig("item:x", ALL, 12)], k=K)
    assert isolated(leaks) == [frozenset({10, 11})]


def test_a_district_total_with_a_school_of_three_next_to_the_others():
    oak = people(("teacher", 6), administration=1, start=0)
    elm = people(("teacher", 7), administration=2, start=100)
    ash = people(("teacher", 3), administration=3, start=200)
    universe = oak + elm + ash
    shown = [fig("domain:d", ALL, 6, adm=(1,)), fig("domain:d", ALL, 7, adm=(2,))]
    leaks = check(universe, [*shown, fig("domain:d", ALL, 16, adm=(1, 2, 3))], k=K)
    assert isolated(leaks) == [frozenset(r.id for r in ash)]
    # the same district total over the shown schools only is safe
    assert check(universe, [*shown, fig("domain:d", ALL, 13, adm=(1, 2))], k=K) == []


def test_this_administration_minus_the_last():
    before = people(("teacher", 6), administration=1, start=0)
    after = people(("teacher", 8), administration=2, start=100)
    universe = before + after
    # a growth figure over both, next to the earlier one and a cut of the later one below k
    figures = [
        fig("item:x", ALL, 6, adm=(1,)),
        fig("item:x", ALL, 14, adm=(1, 2)),
        fig("item:x", roles("teacher"), 8, adm=(2,)),
    ]
    assert check(universe, figures, k=K) == []
    small_after = people(("teacher", 3), administration=2, start=100)
    leaks = check(
        before + small_after,
        [fig("item:x", ALL, 6, adm=(1,)), fig("item:x", ALL, 9, adm=(1, 2))],
        k=K,
    )
    assert isolated(leaks) == [frozenset(r.id for r in small_after)]


def test_live_views_k_apart_still_leak_one_item_answered_by_few():
    # waves of k responses, but in the second wave only one respondent answered item x (the
    # others skipped it): the difference of two live item figures is that one person's answer
    universe = [
        Respondent(
            id=i,
            administration=1,
            role="teacher",
            wave=i // K,
            answers={"x": 3, "y": 4} if i <= K else {"y": 4},
        )
        for i in range(3 * K)
    ]
    figures = [fig("item:x", ALL, K, waves=1), fig("item:x", ALL, K + 1, waves=2)]
    leaks = check(universe, figures, k=K)
    assert frozenset({K}) in isolated(leaks)
    # item y over the same waves differs by k: safe
    assert (
        check(universe, [fig("item:y", ALL, K, waves=1), fig("item:y", ALL, 2 * K, waves=2)], k=K)
        == []
    )


def test_three_overlapping_cuts_isolate_what_no_two_do():
    # A = {0..5}, B = {3..8}, C = {0..2, 6..8}: A + B - C = 2 x {3,4,5}, pairwise differences are 3
    universe = [Respondent(id=i, administration=1, role="teacher") for i in range(9)]
    teacher = roles("teacher")
    leaks = check(
        universe,
        [fig("count", teacher, 9), fig("count", teacher, 9), fig("count", teacher, 9)],
        k=K,
    )
    assert leaks == []  # the same set three times is safe
    sets = [frozenset(range(6)), frozenset(range(3, 9)), frozenset([0, 1, 2, 6, 7, 8])]
    groups = isolated_groups(sets, k=4)
    assert frozenset({3, 4, 5}) in groups
    assert all(len(g) < 4 for g in groups)


def test_figures_of_different_quantities_do_not_combine():
    # item x over all 6, item y over the 5 who answered it
    universe = [
        Respondent(
            id=i, administration=1, role="teacher", answers={"x": 2, "y": 3} if i else {"x": 2}
        )
        for i in range(6)
    ]
    assert check(universe, [fig("item:x", ALL, 6), fig("item:y", ALL, 5)], k=K) == []


# --- the other checks ----------------------------------------------------------------------------


def test_a_mislabelled_n_is_caught():
    universe = people(("teacher", 7))
    leaks = check(universe, [fig("count", ALL, 8)], k=K)
    assert kinds(leaks) == {"mislabelled"}


def test_comments_need_comment_k():
    universe = people(("teacher", 7))
    leaks = check(universe, [fig("comments", ALL, 7)], k=K, comment_k=10)
    assert kinds(leaks) == {"comments-below-comment-k"}
    assert check(universe, [fig("comments", ALL, 7)], k=K, comment_k=7) == []


def test_self_is_exempt_and_never_an_unknown():
    universe = people(("self", 1), ("peer", 3), ("supervisor", 3))
    figures = [
        fig("item:x", roles("self"), 1),
        fig("item:x", ALL, 6),  # every non-self respondent
        fig("item:x", roles("self", "peer", "supervisor"), 7),  # all minus self: known anyway
    ]
    assert check(universe, figures, k=K) == []


def test_domain_and_alpha_count_whom_they_say():
    universe = [
        Respondent(
            id=0,
            administration=1,
            role="teacher",
            answers={"a": None, "b": None},
            domains={"d": (0, 0, 2)},
        ),
        Respondent(
            id=1,
            administration=1,
            role="teacher",
            answers={"a": 4, "b": None},
            domains={"d": (4, 1, 2)},
        ),
        *[
            Respondent(
                id=i,
                administration=1,
                role="teacher",
                answers={"a": 3, "b": 4},
                domains={"d": (7, 2, 2)},
            )
            for i in range(2, 8)
        ],
    ]
    assert (
        check(
            universe, [fig("domain:d", ALL, 7), fig("alpha:d", ALL, 6), fig("count", ALL, 8)], k=K
        )
        == []
    )
    assert kinds(check(universe, [fig("domain:d", ALL, 8)], k=K)) == {"mislabelled"}
    # an item's figure counts "not applicable" answers too: all 8 answered item b
    assert check(universe, [fig("item:b", ALL, 8)], k=K) == []


# --- safe sets -----------------------------------------------------------------------------------


def test_role_cells_that_partition_and_are_each_at_least_k_are_safe():
    universe = people(("teacher", 7), ("staff", 3), ("leader", 2), ("self", 0))
    figures = [
        fig("count", ALL, 12),
        fig("count", roles("teacher"), 7),
        fig("count", roles("staff", "leader"), 5),
        fig("item:x", ALL, 12),
        fig("item:x", roles("teacher"), 7),
        fig("item:x", roles("staff", "leader"), 5),
    ]
    assert check(universe, figures, k=K) == []


def test_live_views_by_whole_waves_and_a_final_report_k_apart_are_safe():
    universe = people(("teacher", 17))  # W = 3 waves; live shows waves < 1, then < 2 later
    figures = [
        fig("item:x", ALL, 5, waves=1),
        fig("item:x", ALL, 10, waves=2),
        fig("item:x", ALL, 17),
    ]
    assert check(universe, figures, k=K) == []


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=3, max_value=8), min_size=1, max_size=5),
    k=st.integers(min_value=3, max_value=6),
    picks=st.lists(st.lists(st.booleans(), min_size=5, max_size=5), max_size=6),
)
def test_unions_of_blocks_of_at_least_k_are_always_safe(sizes, k, picks):
    blocks: list[frozenset[int]] = []
    start = 0
    for size in sizes:
        size = max(size, k)
        blocks.append(frozenset(range(start, start + size)))
        start += size
    sets = [
        frozenset().union(*(b for b, p in zip(blocks, pick, strict=False) if p)) for pick in picks
    ]
    sets = [s for s in sets if s]
    assert isolated_groups(sets, k) == []


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=20),
    removed=st.integers(min_value=1, max_value=5),
    k=st.integers(min_value=3, max_value=6),
    others=st.lists(st.frozensets(st.integers(0, 25), min_size=1), max_size=3),
)
def test_a_set_and_a_subset_fewer_than_k_smaller_always_leak(size, removed, k, others):
    whole = frozenset(range(size + removed))
    part = frozenset(range(size))
    difference = whole - part
    groups = isolated_groups([whole, part, *others], k)
    if len(difference) < k:
        # the difference, or a smaller group inside it, is isolated
        assert any(g <= difference for g in groups)
    for group in groups:
        assert 1 <= len(group) < k


def test_a_leak_comes_with_its_proof():
    sets = [frozenset(range(6)), frozenset(range(3, 9)), frozenset([0, 1, 2, 6, 7, 8])]
    coefficients = certificate(sets, frozenset({3, 4, 5}))
    assert coefficients is not None
    combined = {
        r: sum(c * (r in s) for c, s in zip(coefficients, sets, strict=True)) for r in range(9)
    }
    assert all(combined[r] == 0 for r in range(9) if r not in {3, 4, 5})
    assert any(combined[r] != 0 for r in (3, 4, 5))
    assert certificate([frozenset(range(6))], frozenset({0})) is None
