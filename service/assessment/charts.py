"""Rating charts as server-rendered SVG (no script): distribution per period and trend over periods.

Pure builders over plain numbers; the page (``ChartsController``) reads the
published results set-based and passes translated labels.  Each chart is
drawn in a 340-unit-wide viewBox scaled to the page width, with labels above
the bars (not beside them), so it stays readable on a 375 px phone.  A table
of the same figures follows each chart for screen readers and exact values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape
from sqlalchemy import text

from service.assessment.ratings import Rating
from tenants.isolation import TenantSession

WIDTH = 340
# Best to worst: green to red, readable on white and told apart by position and legend too.
COLOURS: Mapping[Rating, str] = {
    Rating.EXCELLENT: "#1b7f3b",
    Rating.GOOD: "#6aa84f",
    Rating.MEETS: "#3d85c6",
    Rating.BASIC: "#e69138",
    Rating.FAILS: "#cc0000",
}
SERIES_COLOURS = ("#3d85c6", "#cc0000", "#1b7f3b", "#e69138", "#674ea7", "#45818e", "#999999", "#a61c00")
MAX_PERIODS = 8
MAX_SERIES = len(SERIES_COLOURS)


@dataclass
class PeriodRow:
    period_id: int
    name: str
    counts: dict[Rating, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Series:
    name: str
    averages: list[Decimal | None]  # one per period, oldest first; None: no result


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def distribution_svg(rows: Sequence[PeriodRow], labels: Mapping[Rating, str], title: str) -> Markup:
    """One 100% stacked bar per period (oldest first), counts inside the segments wide enough, legend below."""
    bar, gap, label_h = 22, 14, 16
    legend_h = 22 * ((len(Rating) + 1) // 2)
    height = len(rows) * (label_h + bar + gap) + legend_h + 4
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" class="chart" preserveAspectRatio="xMinYMin meet">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    y = 0
    for row in rows:
        parts.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#333">{escape(row.name)} ({row.total})</text>')
        y += label_h
        x = 0.0
        total = row.total
        if total == 0:
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{bar}" fill="#eee"/>')
        for rating in Rating:
            count = row.counts.get(rating, 0)
            if not count:
                continue
            w = WIDTH * count / total
            parts.append(
                f'<rect x="{_num(x)}" y="{y}" width="{_num(w)}" height="{bar}" fill="{COLOURS[rating]}">'
                f"<title>{escape(labels[rating])}: {count}</title></rect>"
            )
            if w >= 18:
                parts.append(
                    f'<text x="{_num(x + w / 2)}" y="{y + 15}" font-size="11" fill="#fff" text-anchor="middle">{count}</text>'
                )
            x += w
        y += bar + gap
    for i, rating in enumerate(Rating):
        lx, ly = (i % 2) * (WIDTH / 2), y + (i // 2) * 22
        parts.append(f'<rect x="{_num(lx)}" y="{ly}" width="12" height="12" fill="{COLOURS[rating]}"/>')
        parts.append(f'<text x="{_num(lx + 16)}" y="{ly + 11}" font-size="12" fill="#333">{escape(labels[rating])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_svg(periods: Sequence[str], series: Sequence[Series], title: str, low: int = 0, high: int = 100) -> Markup:
    """Average score per group over the periods (oldest first), one line each, legend below."""
    left, top, plot_h = 28, 8, 160
    plot_w = WIDTH - left - 6
    legend_h = 20 * len(series)
    axis_h = 18
    height = top + plot_h + axis_h + 8 + legend_h
    n = len(periods)

    def px(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def py(value: Decimal) -> float:  # a pixel position: the score itself is never computed in float
        return top + plot_h * (1 - (float(value) - low) / (high - low))

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}" class="chart" preserveAspectRatio="xMinYMin meet">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(low, high + 1, 20):
        y = py(Decimal(tick))
        parts.append(f'<line x1="{left}" y1="{_num(y)}" x2="{WIDTH - 6}" y2="{_num(y)}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{_num(y + 4)}" font-size="10" fill="#666" text-anchor="end">{tick}</text>')
    for i in range(n):  # period numbers on the axis; their names are in the table below
        parts.append(
            f'<text x="{_num(px(i))}" y="{top + plot_h + 14}" font-size="10" fill="#666" text-anchor="middle">{i + 1}</text>'
        )
    for s_index, s in enumerate(series):
        colour = SERIES_COLOURS[s_index % len(SERIES_COLOURS)]
        points = [(px(i), py(v)) for i, v in enumerate(s.averages) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), value in zip(points, [v for v in s.averages if v is not None]):
            parts.append(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{colour}"><title>{escape(s.name)}: {value}</title></circle>'
            )
        ly = top + plot_h + axis_h + 8 + 20 * s_index
        parts.append(f'<rect x="0" y="{ly}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="16" y="{ly + 11}" font-size="12" fill="#333">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- reading the published results ---

# A result's bureau by its name as it is now (names are unique per tenant).
GROUPINGS = {
    "bureau": "(select b.name from client_bureaus b where b.tenant_id = r.tenant_id and b.id = r.bureau_id)",
    "post_line": "w.post_line",
}


@dataclass(frozen=True)
class ChartData:
    periods: list[tuple[int, str]]  # (id, name), oldest first
    groups: list[str]  # every group seen, by name
    distribution: list[PeriodRow]
    series: list[Series]


def load(db: TenantSession, by: str, group: str, kind: str | None) -> ChartData:
    """The last ``MAX_PERIODS`` published periods (of ``kind``, or all), grouped by bureau or post line.

    The distribution counts every result of ``group`` (or all groups when
    empty); the trend draws the average score of each group, the
    ``MAX_SERIES`` largest groups.
    """
    tenant_id = db.tenant_id
    column = GROUPINGS[by]
    kind_sql = " and p.kind = :kind" if kind else ""
    rows = db.execute(
        text(
            f"""
            with recent as (
              select p.id, p.name, p.ends_on from assessment_periods p
              where p.tenant_id = :t and p.status = 'published'{kind_sql}
              order by p.ends_on desc, p.id desc limit {MAX_PERIODS}
            )
            select recent.id, recent.name, recent.ends_on, {column} as grp, r.rating, count(*), sum(r.score)
            from recent
            join assessment_results r on r.tenant_id = :t and r.period_id = recent.id and r.status = 'published'
            join workers w on w.tenant_id = r.tenant_id and w.id = r.worker_id
            group by recent.id, recent.name, recent.ends_on, grp, r.rating
            order by recent.ends_on, recent.id
            """
        ),
        {"t": tenant_id, "kind": kind},
    ).all()
    periods: dict[int, str] = {}
    groups: dict[str, int] = {}
    dist: dict[int, PeriodRow] = {}
    sums: dict[tuple[str, int], tuple[Decimal, int]] = {}
    for period_id, name, _ends, grp, rating, count, total in rows:
        grp = grp or "—"
        periods.setdefault(period_id, name)
        groups[grp] = groups.get(grp, 0) + count
        if not group or grp == group:
            row = dist.setdefault(period_id, PeriodRow(period_id, name))
            row.counts[Rating(rating)] = row.counts.get(Rating(rating), 0) + count
        s, c = sums.get((grp, period_id), (Decimal(0), 0))
        sums[(grp, period_id)] = (s + total, c + count)
    order = list(periods)
    biggest = sorted(groups, key=lambda g: (-groups[g], g))[:MAX_SERIES]
    series = [
        Series(
            g,
            [
                (sums[(g, p)][0] / sums[(g, p)][1]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if (g, p) in sums
                else None
                for p in order
            ],
        )
        for g in sorted(biggest)
    ]
    return ChartData(
        periods=[(p, periods[p]) for p in order],
        groups=sorted(groups),
        distribution=[dist.get(p, PeriodRow(p, periods[p])) for p in order],
        series=series,
    )
