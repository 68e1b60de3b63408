"""Charts as data: the geometry of an inline SVG bar chart, computed from the figures a page
also shows in a table; ``charts.html`` draws it (no script, no library).

Coordinates are those of the SVG's ``viewBox``; the SVG scales to its container's width.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.i18n import format_number

#: About a phone's width, so that the labels keep their size there (360 px).
WIDTH, HEIGHT = 360.0, 240.0
#: The plot area inside the viewBox: room for the axes' labels on the left and below, and
#: for half a date label right of the last bar.
LEFT, RIGHT, TOP, BOTTOM = 52.0, 320.0, 12.0, 188.0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: What a pointer over the bar shows: its category and value, as the table writes them.
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class BarChart:
    #: Unique on the page: the ids of the SVG's ``<title>`` and ``<desc>`` derive from it.
    key: str
    title: str
    description: str
    x_label: str
    y_label: str
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = RIGHT
    top: float = TOP
    bottom: float = BOTTOM


@dataclass(frozen=True)
class Point:
    """One bar: its value, its label on the axis (or "" for none) and its pointer text."""

    value: float
    tick: str
    title: str


def nice_top(largest: float) -> tuple[float, float]:
    """The top of the value axis and its step: 1, 2 or 5 × 10ⁿ, about four steps, so the
    largest value fits (1 with step 0.25 for an empty chart)."""
    if largest <= 0:
        return 1.0, 0.25
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return step * math.ceil(largest / step), step


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    points: Sequence[Point],
    locale: str,
) -> BarChart:
    """Bars of ``points`` in order, on a value axis from 0 (its figures in ``locale``)."""
    top_value, step = nice_top(max((point.value for point in points), default=0))
    slot = (RIGHT - LEFT) / max(len(points), 1)
    scale = (BOTTOM - TOP) / top_value
    bars: list[Bar] = []
    x_ticks: list[Tick] = []
    for index, point in enumerate(points):
        height = point.value * scale
        x = LEFT + index * slot
        bars.append(
            Bar(
                x=round(x + slot * 0.15, 2),
                y=round(BOTTOM - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                title=point.title,
            )
        )
        if point.tick:
            x_ticks.append(Tick(position=round(x + slot / 2, 2), text=point.tick))
    steps = round(top_value / step)
    y_ticks = [
        Tick(position=round(BOTTOM - n * step * scale, 2), text=format_number(n * step, locale))
        for n in range(steps + 1)
    ]
    return BarChart(
        key=key,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )
