"""Chart geometry for the spend overview: pure Python working out where each bar, line and
label goes. The `chart` macro of templates/purchases/spend_overview.jinja draws it as SVG
with presentation attributes only (no style attribute), so it passes the strict CSP. Every
chart's figures are also in a table beside it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

WIDTH, LABEL, RIGHT, BAR, GAP = 640, 200, 90, 22, 8
INK, BAR_FILL, GRID, IDEAL = "#0b0c0c", "#1d70b8", "#b1b4b6", "#505a5f"


@dataclass
class Chart:
    id: str
    title: str
    description: str
    height: float
    width: int = WIDTH
    rects: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    paths: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)


def _r(value) -> float:
    return round(float(value), 1)


def bar_chart(id: str, title: str, description: str, rows: list[tuple[str, Decimal]]) -> Chart:
    """One horizontal bar a row, labelled with its amount in pounds."""
    top = max((amount for _, amount in rows), default=Decimal(0)) or Decimal(1)
    chart = Chart(id, title, description, height=GAP + len(rows) * (BAR + GAP))
    span = WIDTH - LABEL - RIGHT
    for i, (label, amount) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        width = _r(span * amount / top)
        chart.texts.append({"x": LABEL - 8, "y": y + 16, "text": label[:30], "anchor": "end"})
        chart.rects.append({"x": LABEL, "y": y, "w": max(width, 1), "h": BAR, "fill": BAR_FILL})
        chart.texts.append({"x": LABEL + width + 6, "y": y + 16, "text": f"£{amount:,.2f}",
                            "anchor": "start"})
    return chart


def burn_down(id: str, pot: Decimal, start: date, end: date,
              remaining: list[tuple[date, Decimal]]) -> Chart:
    """What is left of the pot at the end of each day (solid line) against spending it evenly over the
    period (dashed line), with the axis at zero."""
    left, top, plot_w, plot_h = 70, 16, WIDTH - 90, 200
    days = max((end - start).days, 1)
    low = min([Decimal(0), *(amount for _, amount in remaining)])
    high = max([pot, *(amount for _, amount in remaining)]) or Decimal(1)

    def x(day: date) -> float:
        return _r(left + plot_w * (day - start).days / days)

    def y(amount: Decimal) -> float:
        return _r(top + plot_h * (high - amount) / (high - low))

    chart = Chart(id, "Budget pot burn-down",
                  f"What is left of the £{pot:,.2f} pot, day by day from {start:%-d %B %Y}, "
                  "against spending it evenly over the period (dashed).", height=top + plot_h + 40)
    for amount in (high, (high + low) / 2, low, Decimal(0)):
        chart.lines.append({"x1": left, "y1": y(amount), "x2": left + plot_w, "y2": y(amount),
                            "stroke": INK if amount == 0 else GRID, "dash": ""})
        chart.texts.append({"x": left - 6, "y": y(amount) + 4, "text": f"£{amount:,.0f}",
                            "anchor": "end"})
    chart.lines.append({"x1": x(start), "y1": y(pot), "x2": x(end), "y2": y(Decimal(0)),
                        "stroke": IDEAL, "dash": "6 4"})
    points = [(start, pot), *((day + timedelta(days=1), left) for day, left in remaining)]
    d = "M" + " L".join(f"{x(day)},{y(amount)}" for day, amount in points)
    chart.paths.append({"d": d, "stroke": BAR_FILL})
    for day in (start, end - timedelta(days=1)):
        chart.texts.append({"x": x(day), "y": top + plot_h + 24, "text": f"{day:%-d %b}",
                            "anchor": "start" if day == start else "end"})
    return chart
