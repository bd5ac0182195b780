"""Chart geometry for the learning page: pure Python working out where each bar, line, point
and label goes. The template (learning/includes/chart.html) draws it as SVG with presentation
attributes only (no style attribute, no script), so it passes the strict CSP.

Series differ by pattern, dash and marker shape as well as by colour, so a chart reads in
greyscale and to people who do not see colour. No chart has a target line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from learning.figures import XmR

WIDTH = 640
LEFT, RIGHT, BOTTOM, GAP = 64, 24, 52, 14
PLOT_HEIGHT = 220
INK, SECONDARY, GRID, WHITE = "#0b0c0c", "#505a5f", "#b1b4b6", "#ffffff"
# Not red, amber or green: nothing here is a rating.
PALETTE = ["#00636b", "#1d70b8", "#4c2c92", "#912b88", "#505a5f", "#6f72af", "#0b0c0c",
           "#8a6b2e"]
# Drawn in white over the series colour, 8 by 8 user units, repeating.
PATTERNS = ["", "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4", "M2,2 h0.01 M6,6 h0.01", "M0,4 h8",
            "M0,4 h8 M4,0 v8", "M4,0 v8", "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",
            "M0,0 l8,8 M8,0 l-8,8"]
DASHES = ["", "8 4", "2 4", "10 4 2 4"]
MARKERS = ["circle", "square", "diamond", "triangle"]
CHAR = 6.6  # rough width of a character at font size 12


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str = "none"


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 1
    dash: str = ""


@dataclass
class Path:
    d: str
    fill: str = "none"
    stroke: str = "none"
    width: float = 0
    dash: str = ""


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = 12
    fill: str = INK
    bold: bool = False


@dataclass
class Pattern:
    id: str
    colour: str
    d: str
    dots: bool = False


@dataclass
class Chart:
    id: str
    title: str
    description: str
    height: float = 0
    width: int = WIDTH
    patterns: list[Pattern] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


def _r(value: float) -> float:
    return round(value, 1)


def nice_scale(top: float, whole: bool = True) -> list[float]:
    """Tick values from 0 to a round number at or above `top`: about five steps."""
    if top <= 0:
        return [0, 1]
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    return [step * i for i in range(math.ceil(top / step - 1e-9) + 1)]


def tick_label(value: float, unit: str = "") -> str:
    if unit == "£":
        return f"£{value:,.0f}"
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


def wrap(label: str, width: float) -> list[str]:
    """A label in at most two lines that fit `width` (a newline in it forces the break)."""
    if "\n" in label:
        return label.split("\n")[:2]
    fits = max(4, int(width / CHAR))
    if len(label) <= fits:
        return [label]
    words, first = label.split(), ""
    while words and len(f"{first} {words[0]}".strip()) <= fits:
        first = f"{first} {words.pop(0)}".strip()
    rest = " ".join(words)
    if not first:
        first, rest = label[:fits - 1] + "-", label[fits - 1:]
    return [first, rest if len(rest) <= fits else rest[:fits - 1] + "…"]


def marker(shape: str, x: float, y: float, r: float = 4) -> str:
    if shape == "square":
        return f"M{_r(x - r)},{_r(y - r)} h{_r(2 * r)} v{_r(2 * r)} h{_r(-2 * r)} z"
    if shape == "diamond":
        s = r * 1.4
        return f"M{_r(x)},{_r(y - s)} l{_r(s)},{_r(s)} l{_r(-s)},{_r(s)} l{_r(-s)},{_r(-s)} z"
    if shape == "triangle":
        s = r * 1.3
        return f"M{_r(x)},{_r(y - s)} l{_r(s)},{_r(2 * s)} h{_r(-2 * s)} z"
    return (f"M{_r(x - r)},{_r(y)} a{r},{r} 0 1,0 {_r(2 * r)},0 "
            f"a{r},{r} 0 1,0 {_r(-2 * r)},0 z")


class _Canvas:
    """A chart being drawn: the legend on top, then the plot box."""

    def __init__(self, chart: Chart, right: float = RIGHT, left: float = LEFT):
        self.chart, self.left, self.right = chart, left, WIDTH - right
        self.top = GAP

    def fill(self, index: int) -> str:
        """The series' fill: its colour, with its pattern when it has one."""
        colour, d = PALETTE[index % len(PALETTE)], PATTERNS[index % len(PATTERNS)]
        if not d:
            return colour
        pattern_id = f"{self.chart.id}-pattern-{index}"
        if all(p.id != pattern_id for p in self.chart.patterns):
            self.chart.patterns.append(Pattern(pattern_id, colour, d, dots="h0.01" in d))
        return f"url(#{pattern_id})"

    def legend(self, items: list[tuple[str, str]]):
        """items: (label, kind) with kind "bar:<i>", "line:<i>" or "limit"/"mean"/"signal"."""
        x, y = self.left, self.top + 10
        for label, kind in items:
            advance = 22 + len(label) * CHAR + 18
            if x + advance > WIDTH and x > self.left:
                x, y = self.left, y + 20
            self._swatch(kind, x, y)
            self.chart.texts.append(Text(_r(x + 22), _r(y + 4), label))
            x += advance
        self.top = y + 18

    def _swatch(self, kind: str, x: float, y: float):
        name, _, index = kind.partition(":")
        c = self.chart
        if name == "bar":
            c.rects.append(Rect(x, y - 6, 14, 12, self.fill(int(index)), INK))
        elif name == "line":
            i = int(index)
            colour = PALETTE[i % len(PALETTE)]
            c.lines.append(Line(x, y, x + 16, y, colour, 3, DASHES[i % len(DASHES)]))
            c.paths.append(Path(marker(MARKERS[i % len(MARKERS)], x + 8, y), colour))
        elif name == "signal":
            c.paths.append(Path(marker("diamond", x + 8, y, 5), PALETTE[3], INK, 1))
        else:
            dash = "6 4" if name == "limit" else ""
            c.lines.append(Line(x, y, x + 16, y, INK if name == "limit" else SECONDARY, 2, dash))

    def y_axis(self, top_value: float, unit: str, height: float = PLOT_HEIGHT,
               whole: bool = True):
        """Gridlines and labels up the left; returns a function from value to y."""
        ticks = nice_scale(top_value, whole)
        plot_top, bottom = self.top + 8, self.top + 8 + height
        span = ticks[-1] or 1

        def y(value: float) -> float:
            return _r(bottom - (value or 0) / span * height)
        for tick in ticks:
            self.chart.lines.append(Line(self.left, y(tick), self.right, y(tick)))
            self.chart.texts.append(Text(self.left - 8, _r(y(tick) + 4), tick_label(tick, unit),
                                         "end"))
        self.chart.lines.append(Line(self.left, plot_top, self.left, bottom, INK))
        self.chart.lines.append(Line(self.left, bottom, self.right, bottom, INK))
        self.bottom = bottom
        return y

    def x_labels(self, labels: list[str]) -> list[float]:
        """Category labels under the plot; returns each slot's centre."""
        slot = (self.right - self.left) / max(len(labels), 1)
        centres = [self.left + slot * (i + 0.5) for i in range(len(labels))]
        for centre, label in zip(centres, labels, strict=True):
            for n, line in enumerate(wrap(label, slot - 4)):
                self.chart.texts.append(Text(_r(centre), _r(self.bottom + 18 + n * 14), line,
                                             "middle"))
        self.chart.height = self.bottom + BOTTOM
        return centres


def bar_chart(chart_id: str, title: str, description: str, labels: list[str],
              series: dict[str, list], *, stacked: bool = False, unit: str = "") -> Chart:
    """Bars per category: one series, several side by side, or several stacked."""
    chart = Chart(chart_id, title, description)
    canvas = _Canvas(chart)
    names = list(series)
    if len(names) > 1:
        canvas.legend([(name, f"bar:{i}") for i, name in enumerate(names)])
    values = [[float(v or 0) for v in series[name]] for name in names]
    top = (max((sum(col) for col in zip(*values, strict=True)), default=0) if stacked
           else max((max(v, default=0) for v in values), default=0))
    y = canvas.y_axis(top, unit, whole=unit != "%")
    centres = canvas.x_labels(labels)
    slot = (canvas.right - canvas.left) / max(len(labels), 1)
    width = slot * (0.6 if stacked or len(names) == 1 else 0.8 / len(names))
    for c, centre in enumerate(centres):
        base = 0.0
        for s in range(len(names)):
            value = values[s][c]
            if stacked:
                x, low, high = centre - width / 2, base, base + value
                base = high
            else:
                x = centre - (width * len(names)) / 2 + s * width
                low, high = 0, value
            if high > low:
                chart.rects.append(Rect(_r(x), y(high), _r(width), _r(y(low) - y(high)),
                                        canvas.fill(s), WHITE))
    return chart


def line_chart(chart_id: str, title: str, description: str, labels: list[str],
               series: dict[str, list], *, unit: str = "", top: float | None = None) -> Chart:
    """A line per series across the categories; a missing value (None) breaks the line."""
    chart = Chart(chart_id, title, description)
    canvas = _Canvas(chart)
    names = list(series)
    if len(names) > 1:
        canvas.legend([(name, f"line:{i}") for i, name in enumerate(names)])
    numbers = [float(v) for name in names for v in series[name] if v is not None]
    y = canvas.y_axis(top if top is not None else max(numbers, default=0), unit,
                      whole=unit != "%" and all(n == int(n) for n in numbers))
    centres = canvas.x_labels(labels)
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        runs, run = [], []
        for x, value in zip(centres, series[name], strict=True):
            if value is None:
                runs, run = runs + [run] if run else runs, []
                continue
            run.append((x, y(float(value))))
            chart.paths.append(Path(marker(MARKERS[i % len(MARKERS)], x, y(float(value))),
                                    colour))
        for part in [*runs, run]:
            if len(part) > 1:
                d = "M" + " L".join(f"{_r(px)},{py}" for px, py in part)
                chart.paths.append(Path(d, stroke=colour, width=3, dash=DASHES[i % len(DASHES)]))
    return chart


def hbar_chart(chart_id: str, title: str, description: str, labels: list[str],
               values: list, *, unit: str = "") -> Chart:
    """Horizontal bars, for categories with long names; the value is written at each end."""
    label_width = min(220, max((len(label) for label in labels), default=4) * CHAR + 12)
    chart = Chart(chart_id, title, description)
    canvas = _Canvas(chart, left=label_width, right=RIGHT + 40)
    row = 26
    ticks = nice_scale(max((float(v) for v in values), default=0))
    span = ticks[-1] or 1
    plot_w = canvas.right - canvas.left
    top = canvas.top
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        chart.texts.append(Text(canvas.left - 8, _r(y + row / 2 + 4),
                                wrap(label, label_width - 12)[0], "end"))
        w = float(value) / span * plot_w
        if w > 0:
            chart.rects.append(Rect(canvas.left, _r(y + 4), _r(w), row - 8, canvas.fill(0)))
        chart.texts.append(Text(_r(canvas.left + w + 6), _r(y + row / 2 + 4),
                                tick_label(float(value), unit)))
    bottom = top + max(len(labels), 1) * row
    chart.lines.append(Line(canvas.left, top, canvas.left, bottom, INK))
    chart.height = bottom + GAP
    return chart


def xmr_chart(chart_id: str, title: str, description: str, labels: list[str],
              result: XmR) -> Chart:
    """The X chart (each value, the average and the natural process limits) with the
    moving-range chart under it. Signals are drawn as larger diamonds."""
    chart = Chart(chart_id, title, description)
    canvas = _Canvas(chart, right=RIGHT + 96)
    canvas.legend([("Each person", "line:0"), ("Average", "mean"),
                   ("Natural process limits", "limit"), ("Signal", "signal")])
    values = [p.value for p in result.points]
    y = canvas.y_axis(max([*values, result.unpl or 0]), "")
    n = max(len(values), 1)
    slot = (canvas.right - canvas.left) / n
    xs = [_r(canvas.left + slot * (i + 0.5)) for i in range(len(values))]
    _limit_lines(chart, canvas, y, [("Average", result.mean, ""),
                                    ("UNPL", result.unpl, "6 4"),
                                    ("LNPL", result.lnpl, "6 4")])
    _plot_points(chart, xs, [y(v) for v in values], [p.signal for p in result.points])
    for i, label in enumerate(labels):
        if label:
            chart.texts.append(Text(xs[i], _r(canvas.bottom + 16), label, "middle", 11))
    # The moving ranges, under the X chart.
    canvas.top = canvas.bottom + 34
    chart.texts.append(Text(canvas.left, _r(canvas.top), "Moving range (difference from the "
                                                         "point before)", size=12, bold=True))
    ranges = [p.moving_range for p in result.points]
    y2 = canvas.y_axis(max([*(r or 0 for r in ranges), result.upper_range_limit or 0]), "",
                       height=PLOT_HEIGHT / 2)
    _limit_lines(chart, canvas, y2, [("mR̄", result.average_moving_range, ""),
                                     ("URL", result.upper_range_limit, "6 4")])
    _plot_points(chart, xs[1:], [y2(r) for r in ranges[1:]], [""] * len(ranges[1:]))
    chart.height = canvas.bottom + GAP * 2
    return chart


def _limit_lines(chart: Chart, canvas: _Canvas, y, limits):
    for name, value, dash in limits:
        if value is None:
            continue
        chart.lines.append(Line(canvas.left, y(value), canvas.right, y(value),
                                INK if dash else SECONDARY, 2, dash))
        chart.texts.append(Text(canvas.right + 6, _r(y(value) + 4),
                                f"{name} {value:.1f}", size=11))


def _plot_points(chart: Chart, xs: list[float], ys: list[float], signals: list[str]):
    if len(xs) > 1:
        chart.paths.append(Path("M" + " L".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True)),
                                stroke=PALETTE[0], width=2))
    for x, y, signal in zip(xs, ys, signals, strict=True):
        chart.paths.append(Path(marker("diamond", x, y, 5), PALETTE[3], INK, 1) if signal
                           else Path(marker("circle", x, y, 3.5), PALETTE[0]))
