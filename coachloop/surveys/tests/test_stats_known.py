"""The report statistics (surveys.stats) against values worked out by hand in this file: means,
standard deviations, 95% t-intervals, Cronbach's alpha on a small known table, Welch's interval of
a change and Cohen's d. The arithmetic is written out step by step, in fractions where it can be,
so that a reader can redo it on paper."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from coachloop.surveys import stats

# --- an independent reference for the t quantile -------------------------------------------------


def t_density(x: float, df: float) -> float:
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_cdf(x: float, df: float, steps: int = 4000) -> float:
    """0.5 + the integral of the density from 0 to x, by Simpson's rule."""
    h = x / steps
    total = t_density(0, df) + t_density(x, df)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * t_density(i * h, df)
    return 0.5 + total * h / 3


def t_quantile_975(df: float) -> float:
    low, high = 0.0, 20.0
    for _ in range(60):
        mid = (low + high) / 2
        if t_cdf(mid, df) < 0.975:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@pytest.mark.parametrize(
    ("df", "expected"),
    # printed tables of Student's t, two-sided 95%
    [
        (1, 12.706205),
        (2, 4.302653),
        (4, 2.776445),
        (7, 2.364624),
        (10, 2.228139),
        (30, 2.042272),
        (40, 2.021075),
        (60, 2.000298),
        (120, 1.979930),
    ],
)
def test_t_quantile_matches_printed_tables(df, expected):
    assert stats.t975(df) == pytest.approx(expected, abs=2e-6)


# Welch's df is at least min(n1, n2) - 1, and a figure is shown only for n >= k >= 3: df >= 2.
@pytest.mark.parametrize("df", [2.5, 3.7, 5.5, 8.19672131, 12.3, 29.5, 30.5, 47.25, 333.3])
def test_t_quantile_at_fractional_df_against_numerical_integration(df):
    reference = t_quantile_975(df)
    # the module finds the exact quantile below 30 df, and is within 1e-6 from 30 on
    assert stats.t975(df) == pytest.approx(reference, abs=1e-5)


def test_t_quantile_refuses_less_than_one_degree_of_freedom():
    with pytest.raises(ValueError, match="at least 1"):
        stats.t975(0.5)


# --- mean, SD and 95% interval -------------------------------------------------------------------


def test_mean_sd_and_interval_by_hand():
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    # n = 8, sum = 40, mean = 5
    # squared deviations: 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32
    # sample variance = 32 / 7, sd = sqrt(32 / 7) = 2.138089935...
    # half-width = t(0.975, 7) * sd / sqrt(8) = 2.364624252 * 2.138089935 / 2.828427125
    #            = 2.364624252 * 0.755928946 = 1.787488..
    summary = stats.summarize(values)
    assert summary.n == 8
    assert summary.mean == 5
    assert summary.sd == pytest.approx(math.sqrt(32 / 7))
    assert summary.sd == pytest.approx(2.138089935)
    assert summary.half_width == pytest.approx(1.787488, abs=1e-6)
    assert summary.low == pytest.approx(5 - 1.787488, abs=1e-6)
    assert summary.high == pytest.approx(5 + 1.787488, abs=1e-6)
    assert stats.mean(values) == 5
    assert stats.variance(values) == pytest.approx(32 / 7)


def test_a_distribution_gives_the_same_summary_as_its_values():
    # a five-point item: 1 x 1, 2 x 2, 4 x 3, 3 x 4, 2 x 5 (n = 12)
    # mean = (1 + 4 + 12 + 12 + 10) / 12 = 39 / 12 = 3.25
    # squared deviations: 1*(2.25^2) + 2*(1.25^2) + 4*(0.25^2) + 3*(0.75^2) + 2*(1.75^2)
    #   = 5.0625 + 3.125 + 0.25 + 1.6875 + 6.125 = 16.25; variance = 16.25 / 11
    distribution = {1: 1, 2: 2, 3: 4, 4: 3, 5: 2}
    summary = stats.summarize_counts(distribution)
    assert summary.n == 12
    assert summary.mean == pytest.approx(3.25)
    assert summary.sd == pytest.approx(math.sqrt(16.25 / 11))
    assert summary.half_width == pytest.approx(2.200985160 * math.sqrt(16.25 / 11) / math.sqrt(12))
    assert stats.variance_counts(distribution) == pytest.approx(16.25 / 11)
    expanded = stats.summarize([v for v, c in distribution.items() for _ in range(c)])
    assert expanded.n == summary.n
    for name in ("mean", "sd", "low", "high"):
        assert getattr(expanded, name) == pytest.approx(getattr(summary, name))


def test_one_value_has_no_interval_and_no_spread_has_a_point_interval():
    one = stats.summarize([4])
    assert (one.n, one.mean, one.sd, one.low, one.high) == (1, 4, None, None, None)
    flat = stats.summarize([3, 3, 3])
    assert (flat.sd, flat.low, flat.high) == (0, 3, 3)
    with pytest.raises(ValueError, match="no values"):
        stats.summarize([])
    assert stats.summarize_counts({4: 0, 5: 3}).n == 3  # zero counts are ignored


# --- Cronbach's alpha ----------------------------------------------------------------------------

# 5 respondents x 4 items
TABLE = [
    [3, 4, 3, 4],  # total 14
    [4, 5, 4, 5],  # total 18
    [2, 3, 2, 2],  # total  9
    [5, 5, 4, 5],  # total 19
    [3, 3, 3, 4],  # total 13
]


def test_cronbach_alpha_on_a_known_table():
    # item 1: 3 4 2 5 3, mean 17/5; squared deviations 4/25 9/25 49/25 64/25 4/25 = 130/25
    #         variance 130/25 / 4 = 13/10
    # item 2: 4 5 3 5 3, mean 4; squared deviations 0 1 1 1 1 = 4; variance 1
    # item 3: 3 4 2 4 3, mean 16/5; squared deviations 1/25 16/25 36/25 16/25 1/25 = 70/25
    #         variance 7/10
    # item 4: 4 5 2 5 4, mean 4; squared deviations 0 1 4 1 0 = 6; variance 3/2
    # sum of item variances = 13/10 + 1 + 7/10 + 3/2 = 9/2
    # totals: 14 18 9 19 13, mean 73/5; squared deviations
    #         9/25 289/25 784/25 484/25 64/25 = 1630/25; variance 1630/100 = 163/10
    # alpha = 4/3 * (1 - (9/2) / (163/10)) = 4/3 * (1 - 45/163) = 4/3 * 118/163 = 472/489
    item_variances = [Fraction(13, 10), Fraction(1), Fraction(7, 10), Fraction(3, 2)]
    total_variance = Fraction(163, 10)
    assert sum(item_variances) == Fraction(9, 2)
    expected = Fraction(4, 3) * (1 - sum(item_variances) / total_variance)
    assert expected == Fraction(472, 489)  # 0.96523517...
    assert stats.cronbach_alpha(TABLE) == pytest.approx(float(expected), abs=1e-12)
    assert stats.alpha_from_variances(
        [float(v) for v in item_variances], float(total_variance)
    ) == pytest.approx(float(expected), abs=1e-12)
    for i, variance in enumerate(item_variances):
        assert stats.variance([row[i] for row in TABLE]) == pytest.approx(float(variance))
    assert stats.variance([sum(row) for row in TABLE]) == pytest.approx(float(total_variance))


def test_alpha_of_unrelated_items_is_low_and_can_be_negative():
    # two items that move against each other: item variances 1 and 1, totals all 4 but one
    # rows (1,3) (3,1) (2,2) (3,2): totals 4 4 4 5, mean 17/4, variance (3*(1/16) + 9/16)/3 = 1/4
    # item 1: 1 3 2 3, mean 9/4, squared deviations 25/16 9/16 1/16 9/16 = 44/16, variance 11/12
    # item 2: 3 1 2 2, mean 2, squared deviations 1 1 0 0 = 2, variance 2/3
    # alpha = 2 * (1 - (11/12 + 8/12) / (1/4)) = 2 * (1 - 19/3) = -32/3
    table = [[1, 3], [3, 1], [2, 2], [3, 2]]
    assert stats.cronbach_alpha(table) == pytest.approx(-32 / 3)


def test_alpha_is_unknown_without_two_items_two_people_or_spread():
    assert stats.cronbach_alpha([[3, 4]]) is None  # one respondent
    assert stats.cronbach_alpha([[3], [4], [5]]) is None  # one item
    assert stats.cronbach_alpha([[3, 3], [3, 3], [3, 3]]) is None  # totals do not vary
    assert stats.alpha_from_variances([1.0], 2.0) is None


# --- change between administrations: Welch's interval and Cohen's d ------------------------------


def test_welch_interval_and_cohens_d_by_hand():
    before = stats.summarize([3, 4, 5, 4, 4])  # mean 4, squared deviations 1+0+1+0+0 = 2, var 1/2
    after = stats.summarize(
        [4, 5, 5, 6, 5, 5]
    )  # mean 5, squared deviations 1+0+0+1+0+0 = 2, var 2/5
    # diff = 5 - 4 = 1
    # se^2 = (1/2)/5 + (2/5)/6 = 1/10 + 1/15 = 1/6
    v1, v2 = Fraction(1, 10), Fraction(1, 15)
    se2 = v1 + v2
    assert se2 == Fraction(1, 6)
    # Welch-Satterthwaite: df = (1/6)^2 / ((1/10)^2/4 + (1/15)^2/5) = (1/36) / (1/400 + 1/1125)
    df = se2**2 / (v1**2 / 4 + v2**2 / 5)
    assert df == Fraction(500, 61)  # 8.1967...
    # pooled variance = (4 * 1/2 + 5 * 2/5) / 9 = 4/9, pooled SD = 2/3, d = 1 / (2/3) = 3/2
    result = stats.change(before, after)
    assert result.diff == pytest.approx(1)
    assert result.df == pytest.approx(float(df))
    assert result.d == pytest.approx(1.5)
    half = t_quantile_975(float(df)) * math.sqrt(float(se2))  # about 2.297 * 0.408 = 0.94
    assert result.low == pytest.approx(1 - half, abs=0.002)
    assert result.high == pytest.approx(1 + half, abs=0.002)
    assert result.low is not None
    assert result.low > 0  # this change is not noise


def test_a_decline_has_a_negative_change_and_effect():
    result = stats.change(stats.summarize([4, 5, 5, 6, 5, 5]), stats.summarize([3, 4, 5, 4, 4]))
    assert result.diff == pytest.approx(-1)
    assert result.d == pytest.approx(-1.5)
    assert result.high is not None
    assert result.high < 0


def test_change_with_a_single_value_on_one_side_has_no_interval():
    result = stats.change(stats.summarize([4]), stats.summarize([3, 4, 5]))
    assert result.diff == pytest.approx(0)
    assert (result.low, result.high, result.df, result.d) == (None, None, None, None)
