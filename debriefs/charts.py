"""The value-work matrix: how often each kind of success happened against how complex it is.

Frequent and simple work belongs in the front-line team; rare and complex work can sit
centrally, pulled in when needed. Drawn as SVG on the server (no script, no inline style).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from debriefs.models import Activity

WIDTH, HEIGHT, PAD = 640, 400, 56


@dataclass
class Point:
    name: str
    complexity: int
    count: int
    x: float = 0
    y: float = 0
    quadrant: str = ""


def matrix_points(team, start: date, end: date) -> list[Point]:
    """Each activity with its strokes in [start, end]. One query."""
    activities = Activity.objects.filter(team=team).annotate(count=Count(
        "strokes", filter=Q(strokes__debrief__held_on__range=(start, end))))
    points = [Point(a.name, a.complexity, a.count) for a in activities.order_by("name")]
    most = max((p.count for p in points), default=0) or 1
    split = most / 2
    for p in points:
        p.x = PAD + (WIDTH - 2 * PAD) * p.count / most
        p.y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (p.complexity - 1) / 4
        frequent, complex_ = p.count > split, p.complexity >= 3
        p.quadrant = {
            (True, False): "Front-line team: frequent and simple",
            (False, True): "Central, pulled in when needed: rare and complex",
            (True, True): "Frequent and complex: build this skill in the team",
            (False, False): "Rare and simple: anyone can pick it up",
        }[(frequent, complex_)]
    return points


def matrix_axes():
    """Geometry for the template: plot box, mid-lines and tick labels."""
    mid_x, mid_y = WIDTH / 2, HEIGHT - PAD - (HEIGHT - 2 * PAD) / 2
    ticks = [{"value": c, "y": HEIGHT - PAD - (HEIGHT - 2 * PAD) * (c - 1) / 4}
             for c in range(1, 6)]
    return {"width": WIDTH, "height": HEIGHT, "pad": PAD, "right": WIDTH - PAD,
            "bottom": HEIGHT - PAD, "plot_w": WIDTH - 2 * PAD, "plot_h": HEIGHT - 2 * PAD,
            "mid_x": mid_x, "mid_y": mid_y, "ticks": ticks, "tick_x": PAD - 10,
            "x_label_y": HEIGHT - 16, "front_line_y": HEIGHT - PAD - 8,
            "central_x": PAD + 6, "central_y": PAD + 16}
