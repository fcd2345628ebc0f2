"""The statistics of survey reports, in plain Python (no numpy or scipy).

Everything here is pure: numbers in, numbers out. The anonymity rules live in surveys.engine;
these functions only compute.

Formulas (n values x_1..x_n):

- mean: ``m = sum(x) / n``;
- sample standard deviation: ``s = sqrt(sum((x - m)^2) / (n - 1))``;
- 95% interval of a mean: ``m -/+ t(0.975, n - 1) * s / sqrt(n)`` (Student's t);
- Cronbach's alpha of j items over n complete cases:
  ``alpha = j / (j - 1) * (1 - sum(var(item)) / var(total))`` with sample variances;
- change between two independent means (Welch): ``diff = m2 - m1``,
  ``se = sqrt(s1^2/n1 + s2^2/n2)``,
  ``df = se^4 / ((s1^2/n1)^2/(n1-1) + (s2^2/n2)^2/(n2-1))`` (Welch-Satterthwaite),
  95% interval ``diff -/+ t(0.975, df) * se``;
- Cohen's d: ``d = (m2 - m1) / s_pooled`` with
  ``s_pooled = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2))``.

The t quantile t(0.975, df): exact values (to 9 decimals) for whole df 1..30 from a table;
between two whole df below 30 (Welch's df is fractional) the exact quantile, found by bisection
between the two table values on Student's t distribution function (through the regularized
incomplete beta function, evaluated by its continued fraction), to 1e-9; from df 30 on the
Cornish-Fisher expansion of the t quantile around the normal quantile (four terms), within 1e-6
of the exact value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: two-sided 95%: the normal quantile z(0.975)
Z975 = 1.959963984540054

#: t(0.975, df) for df = 1..30
T975: tuple[float, ...] = (
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
)


def _cornish_fisher(df: float) -> float:
    z = Z975
    z3, z5, z7, z9 = z**3, z**5, z**7, z**9
    return (
        z
        + (z3 + z) / (4 * df)
        + (5 * z5 + 16 * z3 + 3 * z) / (96 * df**2)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df**3)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df**4)
    )


def t975(df: float) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (df >= 1), the multiplier
    of a two-sided 95% interval. See the module docstring for the accuracy."""
    if not df >= 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df >= 30:
        return T975[29] if df == 30 else _cornish_fisher(df)
    whole = math.floor(df)
    if whole == df:
        return T975[whole - 1]
    # t(0.975, df) falls as df grows: bracketed by the two whole df around it
    lo, hi = T975[whole], T975[whole - 1]
    while hi - lo > 1e-10:
        mid = (lo + hi) / 2
        if t_tail(mid, df) > 0.025:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def t_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0 under Student's t with df degrees of freedom:
    ``I_x(df/2, 1/2) / 2`` with ``x = df / (df + t^2)``."""
    return incomplete_beta(df / (df + t * t), df / 2, 0.5) / 2


def incomplete_beta(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
    Lentz), using the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where the fraction converges
    slowly."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1) / (a + b + 2):
        return 1.0 - incomplete_beta(1 - x, b, a)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return math.exp(log_front) * f / a


@dataclass(frozen=True)
class Summary:
    """Mean, sample standard deviation and 95% t-interval of n values. With one value the SD
    and interval are unknown (None); with no spread the interval is the mean itself."""

    n: int
    mean: float
    sd: float | None
    low: float | None
    high: float | None

    @property
    def half_width(self) -> float | None:
        return None if self.high is None else self.high - self.mean


def summarize_counts(distribution: Mapping[float, int] | Iterable[tuple[float, int]]) -> Summary:
    """Summary of values given as value -> how many times (counts of 0 are ignored)."""
    pairs = list(distribution.items() if isinstance(distribution, Mapping) else distribution)
    n = sum(c for _v, c in pairs)
    if n <= 0:
        raise ValueError("no values to summarize")
    total = math.fsum(v * c for v, c in pairs)
    mean = total / n
    if n < 2:
        return Summary(n=n, mean=mean, sd=None, low=None, high=None)
    ss = math.fsum(c * (v - mean) ** 2 for v, c in pairs)
    sd = math.sqrt(ss / (n - 1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return Summary(n=n, mean=mean, sd=sd, low=mean - half, high=mean + half)


def summarize(values: Sequence[float]) -> Summary:
    """Summary of a list of values."""
    return summarize_counts([(v, 1) for v in values])


def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("no values")
    return math.fsum(values) / len(values)


def variance(values: Sequence[float]) -> float:
    """Sample variance (n - 1 in the denominator)."""
    if len(values) < 2:
        raise ValueError("a variance needs at least two values")
    m = mean(values)
    return math.fsum((v - m) ** 2 for v in values) / (len(values) - 1)


def variance_counts(distribution: Mapping[float, int]) -> float:
    n = sum(distribution.values())
    if n < 2:
        raise ValueError("a variance needs at least two values")
    m = math.fsum(v * c for v, c in distribution.items()) / n
    return math.fsum(c * (v - m) ** 2 for v, c in distribution.items()) / (n - 1)


def cronbach_alpha(table: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a respondents x items table of complete cases (every row answers every
    item). None when fewer than 2 items or 2 rows, or when the totals do not vary."""
    if len(table) < 2:
        return None
    j = len(table[0])
    if j < 2 or any(len(row) != j for row in table):
        return None
    item_vars = [variance([row[i] for row in table]) for i in range(j)]
    total_var = variance([math.fsum(row) for row in table])
    return alpha_from_variances(item_vars, total_var)


def alpha_from_variances(item_variances: Sequence[float], total_variance: float) -> float | None:
    """Cronbach's alpha from the items' sample variances and the sample variance of the
    respondents' totals (the same complete cases). None as in `cronbach_alpha`."""
    j = len(item_variances)
    if j < 2 or total_variance <= 0:
        return None
    return j / (j - 1) * (1 - math.fsum(item_variances) / total_variance)


@dataclass(frozen=True)
class Change:
    """The change from a first to a second independent group's mean."""

    diff: float
    low: float | None
    high: float | None
    df: float | None
    d: float | None


def change(before: Summary, after: Summary) -> Change:
    """Welch's 95% interval for ``after.mean - before.mean`` and Cohen's d (pooled SD). The
    interval is unknown (None) when either group has fewer than 2 values; d is None then too, or
    when neither group varies."""
    diff = after.mean - before.mean
    if before.sd is None or after.sd is None or before.n < 2 or after.n < 2:
        return Change(diff=diff, low=None, high=None, df=None, d=None)
    v1 = before.sd**2 / before.n
    v2 = after.sd**2 / after.n
    se2 = v1 + v2
    pooled2 = ((before.n - 1) * before.sd**2 + (after.n - 1) * after.sd**2) / (
        before.n + after.n - 2
    )
    d = diff / math.sqrt(pooled2) if pooled2 > 0 else None
    if se2 <= 0:
        return Change(diff=diff, low=diff, high=diff, df=None, d=d)
    df = se2**2 / (v1**2 / (before.n - 1) + v2**2 / (after.n - 1))
    half = t975(max(df, 1.0)) * math.sqrt(se2)
    return Change(diff=diff, low=diff - half, high=diff + half, df=df, d=d)
