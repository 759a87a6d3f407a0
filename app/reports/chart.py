"""Completion over time, drawn by the portal itself as SVG (no script, nothing from another host)."""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.service import Matrix, MatrixRow

WIDTH, HEIGHT = 680, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 170, 16, 36
# Distinguishable without colour too: each series also has its own dash pattern and marker.
PALETTE = ["#0b5e3b", "#1d4ed8", "#a4161a", "#7a4b00", "#6b21a8", "#0f766e", "#be185d", "#374151"]
DASHES = ["", "6 3", "2 3", "10 4 2 4", "1 2", "8 2", "4 4", "12 3"]


@dataclass
class Series:
    label: str
    color: str
    dash: str
    percents: list[float | None]
    points: str  # "x,y x,y …" for <polyline>
    dots: list[tuple[float, float]]


@dataclass
class Chart:
    width: int
    height: int
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    series: list[Series]
    left: int
    right_edge: int
    bottom_edge: int
    legend_x: int


def _series_rows(matrix: Matrix) -> list[MatrixRow]:
    tops = [r for r in matrix.rows if r.level == "division"] or matrix.rows
    if len(tops) == 1:
        sections = [
            r
            for r in matrix.rows
            if r.level == "section" and r.department.parent_id == tops[0].department.id
        ]
        return sections or tops
    return tops


def build(matrix: Matrix, locale: str = "ja") -> Chart | None:
    if not matrix.timeline:
        return None
    rows = [r for r in _series_rows(matrix) if r.total.total][: len(PALETTE)]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(matrix.timeline)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(pct: float) -> float:
        return TOP + plot_h * (1 - pct / 100.0)

    series = []
    for index, row in enumerate(rows):
        percents = [round(100.0 * c / row.total.total, 1) for c in row.total.completed_by]
        coords = [(round(x(i), 1), round(y(p), 1)) for i, p in enumerate(percents)]
        series.append(
            Series(
                label=row.department.display_name(locale),
                color=PALETTE[index],
                dash=DASHES[index],
                percents=percents,
                points=" ".join(f"{a},{b}" for a, b in coords),
                dots=coords,
            )
        )
    if locale == "ja":
        labels = [
            f"{d.month}月{d.day}日" if i == n - 1 else f"{d.month}月末"
            for i, d in enumerate(matrix.timeline)
        ]
    else:
        labels = [d.strftime("%d %b") for d in matrix.timeline]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        x_labels=[(round(x(i), 1), label) for i, label in enumerate(labels)],
        y_ticks=[(round(y(p), 1), p) for p in (0, 25, 50, 75, 100)],
        series=series,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        bottom_edge=HEIGHT - BOTTOM,
        legend_x=WIDTH - RIGHT + 14,
    )
