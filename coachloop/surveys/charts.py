"""Server-rendered SVG chart geometry for reports: horizontal bars with 95% intervals, and lines
over administrations. Only coordinates here; the templates draw them with classes (colours in
reports.css), a <title> and a data table beside each chart. Everything comes from an engine
Report or series, so a chart never shows more than the report does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coachloop.surveys.engine import Estimate, SeriesPoint

WIDTH = 640
LABEL = 220
RIGHT = 20
ROW = 30
BAR = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    x0: float
    width: float
    #: interval whisker, None when unknown
    low_x: float | None
    high_x: float | None
    css: str = "bar"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    marker_x: float | None = None


def _scale(low: float, high: float) -> tuple[float, float]:
    plot = WIDTH - LABEL - RIGHT
    return plot / (high - low if high > low else 1), LABEL


def bar_chart(
    rows: Sequence[tuple[str, Estimate | None, str]],
    low: float,
    high: float,
    *,
    marker: float | None = None,
) -> BarChart:
    """One bar per (label, estimate or None (drawn empty: not shown), css class), on the scale
    from `low` to `high`; `marker` draws a threshold line (the target)."""
    per, left = _scale(low, high)

    def x(v: float) -> float:
        return round(left + (min(max(v, low), high) - low) * per, 1)

    bars = []
    for i, (label, est, css) in enumerate(rows):
        y = 10 + i * ROW
        if est is None:
            bars.append(Bar(label, "not shown", y, x(low), 0, None, None, css + " suppressed"))
            continue
        bars.append(
            Bar(
                label,
                f"{est.mean:.2f}",
                y,
                x(low),
                round(x(est.mean) - x(low), 1),
                None if est.low is None else x(est.low),
                None if est.high is None else x(est.high),
                css,
            )
        )
    ticks = tuple(Tick(x(v), str(v)) for v in range(int(low), int(high) + 1))
    return BarChart(
        width=WIDTH,
        height=20 + len(rows) * ROW + 20,
        label_width=LABEL,
        bars=tuple(bars),
        ticks=ticks,
        marker_x=None if marker is None else x(marker),
    )


@dataclass(frozen=True)
class Line:
    label: str
    css: str
    points: str  # SVG polyline points
    dots: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: tuple[Line, ...]
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[tuple[float, str], ...]


def line_chart(
    series: Sequence[SeriesPoint], domains: Sequence[tuple[str, str]], low: float, high: float
) -> LineChart:
    """One line per domain (key, title) over the administrations; gaps where not shown."""
    height = 260
    top, bottom, left, right = 20, 40, 50, 20
    n = max(len(series), 1)
    step = (WIDTH - left - right) / max(n - 1, 1)

    def y(v: float) -> float:
        return round(top + (high - v) / (high - low or 1) * (height - top - bottom), 1)

    lines = []
    for i, (key, title) in enumerate(domains):
        dots = []
        for j, point in enumerate(series):
            est = point.domains.get(key)
            if est is not None:
                dots.append((round(left + j * step, 1), y(est.mean), f"{est.mean:.2f}"))
        lines.append(
            Line(title, f"series-{i % 6}", " ".join(f"{a},{b}" for a, b, _t in dots), tuple(dots))
        )
    labels = tuple(Tick(round(left + j * step, 1), p.title) for j, p in enumerate(series))
    y_ticks = tuple((y(v), str(v)) for v in range(int(low), int(high) + 1))
    return LineChart(WIDTH, height, tuple(lines), labels, y_ticks)
