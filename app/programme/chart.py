"""Training → referrals as an inline SVG: bars of referrals per 100 staff (left axis) and a
line of training completion (right axis, %), with the threshold and the crossing quarter.

The portal draws it itself (no script, nothing from another host); the same figures are in
the table beside it, and suppressed small cells are left out of the chart too.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.programme.training import Row, Suppressor, TrainingReport

WIDTH, HEIGHT = 680, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 52, 16, 40


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    cx: float
    label: str
    value: str  # as shown: a number, or 「—」 when suppressed


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right_edge: int
    base: float
    bars: list[Bar]
    line: str  # polyline points of completion %
    dots: list[tuple[float, float, str]]
    left_ticks: list[tuple[float, str]]
    right_ticks: list[tuple[float, int]]
    threshold_y: float
    crossed_x: float | None
    label_y: int


def _step(peak: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 50):
        if peak <= step * 5:
            return step
    return 100


def build(report: TrainingReport, row: Row) -> Chart:
    suppressor = Suppressor(report.small_cell)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    n = max(len(report.quarters), 1)
    slot = plot_w / n
    rates: list[float | None] = []
    for cell in row.cells:
        shown = suppressor.rate(cell.referrals, cell.staff)
        rates.append(None if shown == "—" else float(shown))
    peak = max([r for r in rates if r is not None] + [1.0])
    step = _step(peak)
    ceiling = step * max(1, -(-peak // step))

    bars = []
    for i, (quarter, rate) in enumerate(zip(report.quarters, rates, strict=True)):
        h = plot_h * (rate or 0) / ceiling
        bars.append(
            Bar(
                x=round(LEFT + i * slot + slot * 0.2, 1),
                y=round(base - h, 1),
                w=round(slot * 0.6, 1),
                h=round(h, 1),
                cx=round(LEFT + i * slot + slot / 2, 1),
                label=quarter.short_label,
                value="—" if rate is None else f"{rate:.1f}",
            )
        )

    def y_pct(p: float) -> float:
        return round(TOP + plot_h * (1 - p / 100.0), 1)

    dots = []
    for bar, cell in zip(bars, row.cells, strict=True):
        if cell.completion is not None:
            dots.append((bar.cx, y_pct(cell.completion), f"{cell.completion:.0f}%"))
    ticks, value = [], 0.0
    while value <= ceiling + 1e-9:
        ticks.append((round(base - plot_h * value / ceiling, 1), f"{value:g}"))
        value += step
    crossed_x = None
    if row.crossed is not None and row.crossed in report.quarters:
        crossed_x = bars[report.quarters.index(row.crossed)].cx
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        base=base,
        bars=bars,
        line=" ".join(f"{x},{y}" for x, y, _label in dots),
        dots=dots,
        left_ticks=ticks,
        right_ticks=[(y_pct(p), p) for p in (0, 25, 50, 75, 100)],
        threshold_y=y_pct(report.threshold),
        crossed_x=crossed_x,
        label_y=HEIGHT - 14,
    )
