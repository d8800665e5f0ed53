"""Accessible SVG bar charts, each drawn beside a table of the same numbers.

Quota targets of a seat group; at the end, the follow-up report's commitments by status.

For each stratification criterion of a group, each value gets its share of the
population, its exact proportional number of seats and the quota range
``group_quotas`` gives it, or the mandate's own quotas where it set some
(``services.quotas.quotas_for``: those its draws meet). The chart draws the
proportional seats as a bar and the range as a line with end caps; the table beside
it carries the same numbers, so nothing is said by the drawing alone. Geometry is
computed here, in viewBox units, so the template only places what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kleroterion.city.quotas import group_quotas
from kleroterion.city.types import Feature, Localized, PanelComposition, SeatGroup
from kleroterion.sortition.types import Quota

#: Layout of a chart, in viewBox units.
WIDTH = 640
LABEL_WIDTH = 190  # room for the value labels, right-aligned before the bars
VALUE_WIDTH = 70  # room for the numbers after the bars
ROW_HEIGHT = 26
TOP = 8
AXIS_HEIGHT = 30
PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH


@dataclass(frozen=True)
class QuotaRow:
    """One value of a criterion in one seat group, with its drawing."""

    value: str
    label: Localized
    share: float  # of the population of the values open to the group, 0..1
    proportional: float  # exact seats in proportion to the population
    minimum: int
    maximum: int
    y: float  # top of the row
    bar_width: float
    range_start: float
    range_end: float


@dataclass(frozen=True)
class Tick:
    value: int
    x: float


@dataclass(frozen=True)
class QuotaChart:
    """The quota targets of one criterion in one seat group."""

    feature: str
    label: Localized
    approximate: bool
    rows: tuple[QuotaRow, ...]
    ticks: tuple[Tick, ...]
    height: float
    plot_left: float
    plot_bottom: float
    value_x: float

    @property
    def width(self) -> int:
        return WIDTH


def _step(scale: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100):
        if scale / step <= 10:
            return step
    return 200


def feature_chart(feature: Feature, seats: int, quotas: dict[str, tuple[int, int]]) -> QuotaChart:
    """The chart of one criterion, given the (min, max) of each of its values."""
    # A value closed to the group (maximum 0) takes no share, as in quotas.py.
    open_values = [value for value in feature.values if quotas[value.key][1] > 0]
    total = sum(value.population for value in open_values)
    scale = max([maximum for _, maximum in quotas.values()] + [1])
    step = _step(scale)
    scale = -(-scale // step) * step  # round the axis up to a whole step
    unit = PLOT_WIDTH / scale
    rows = []
    for index, value in enumerate(feature.values):
        minimum, maximum = quotas[value.key]
        share = value.population / total if total and maximum > 0 else 0.0
        proportional = share * seats
        rows.append(
            QuotaRow(
                value=value.key,
                label=value.label,
                share=share,
                proportional=proportional,
                minimum=minimum,
                maximum=maximum,
                y=TOP + index * ROW_HEIGHT,
                bar_width=round(proportional * unit, 2),
                range_start=LABEL_WIDTH + round(minimum * unit, 2),
                range_end=LABEL_WIDTH + round(maximum * unit, 2),
            )
        )
    plot_bottom = TOP + len(rows) * ROW_HEIGHT
    ticks = tuple(
        Tick(value, LABEL_WIDTH + round(value * unit, 2)) for value in range(0, scale + 1, step)
    )
    return QuotaChart(
        feature=feature.key,
        label=feature.label,
        approximate=feature.approximate,
        rows=tuple(rows),
        ticks=ticks,
        height=plot_bottom + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_bottom=plot_bottom,
        value_x=LABEL_WIDTH + PLOT_WIDTH + 8,
    )


def group_charts(composition: PanelComposition, group: SeatGroup,
                 quotas: Sequence[Quota] | None = None) -> tuple[QuotaChart, ...]:
    """One chart per criterion the group is stratified on, in the group's order.

    ``quotas``: a mandate's (``services.quotas.quotas_for``); by default the city's.
    """
    bounds: dict[str, dict[str, tuple[int, int]]] = {}
    for quota in quotas if quotas is not None else group_quotas(composition, group):
        bounds.setdefault(quota.feature, {})[quota.value] = (quota.min, quota.max)
    features = {feature.key: feature for feature in composition.features}
    return tuple(
        feature_chart(features[key], group.seats, bounds[key]) for key in group.features
    )


# -- the follow-up report's summary --------------------------------------------------


@dataclass(frozen=True)
class StatusBar:
    """One status of the commitments: how many, and its bar."""

    key: str
    count: int
    y: float
    width: float


@dataclass(frozen=True)
class StatusChart:
    """Commitments by status as horizontal bars; the page puts the same numbers in a table."""

    bars: tuple[StatusBar, ...]
    height: float
    plot_left: float
    value_x: float
    total: int

    @property
    def width(self) -> int:
        return WIDTH


def status_chart(counts: dict[str, int]) -> StatusChart:
    """The bars of ``counts`` (status -> commitments), in the order given."""
    scale = max([*counts.values(), 1])
    unit = PLOT_WIDTH / scale
    bars = tuple(StatusBar(key, count, TOP + index * ROW_HEIGHT, round(count * unit, 2))
                 for index, (key, count) in enumerate(counts.items()))
    return StatusChart(bars=bars, height=TOP * 2 + len(bars) * ROW_HEIGHT,
                       plot_left=LABEL_WIDTH, value_x=LABEL_WIDTH + PLOT_WIDTH + 8,
                       total=sum(counts.values()))
