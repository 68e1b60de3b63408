"""The bar chart's geometry (app/web/charts.py): a value axis that fits the largest value in
round steps, bars in proportion on it."""

import pytest

from app.web import charts


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [(0, 1, 0.25), (2, 2, 0.5), (3.5, 4, 1), (7, 8, 2), (23, 30, 10), (0.7, 0.8, 0.2)],
)
def test_the_value_axis_ends_on_a_round_step_above_the_largest_value(
    largest: float, top: float, step: float
) -> None:
    assert charts.nice_top(largest) == pytest.approx((top, step))


def test_bars_stand_on_the_axis_in_proportion_and_ticks_are_in_the_locale() -> None:
    points = [
        charts.Point(value=value, tick=tick, title=f"{value}")
        for value, tick in ((0.0, "1."), (1.5, ""), (3.0, "3."))
    ]
    chart = charts.bar_chart(
        key="k", title="T", description="D", x_label="X", y_label="Y", points=points, locale="de"
    )
    assert [bar.y + bar.height for bar in chart.bars] == [charts.BOTTOM] * 3
    assert chart.bars[2].height == pytest.approx(2 * chart.bars[1].height)
    assert chart.bars[2].y == pytest.approx(charts.TOP)  # 3 is a round top already
    assert [tick.text for tick in chart.x_ticks] == ["1.", "3."]
    assert [tick.text for tick in chart.y_ticks] == ["0", "1", "2", "3"]
    assert all(bar.x >= charts.LEFT and bar.x + bar.width <= charts.RIGHT for bar in chart.bars)


@pytest.mark.parametrize(("locale", "half"), [("de", "0,5"), ("en", "0.5")])
def test_axis_figures_are_written_as_the_locale_writes_them(locale: str, half: str) -> None:
    chart = charts.bar_chart(
        key="k",
        title="T",
        description="D",
        x_label="X",
        y_label="Y",
        points=[charts.Point(value=2.0, tick="", title="")],
        locale=locale,
    )
    assert [tick.text for tick in chart.y_ticks][:2] == ["0", half]
