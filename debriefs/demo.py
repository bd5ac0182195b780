"""Six months of daily debriefs for the demo team, consistent with its cases.

Deterministic (random.Random(42)) and idempotent: does nothing if the team has debriefs.
Early on most people are "not yet" or "stuck"; as the team gets to know them, more are
"working". Successes are counted on a handful of activities of differing complexity.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import DemoContext
from caseload.models import Case

from .models import Activity, Attendance, Debrief, Entry, Stroke, Welfare

DAYS = 182
ACTIVITIES = [  # name, complexity, how often it tends to come up (0-1)
    ("Got a food shop in", 1, 0.8), ("Topped up the gas or electric", 1, 0.7),
    ("Drove someone to an appointment", 2, 0.5), ("Rang a creditor for breathing space", 2, 0.5),
    ("Helped claim a benefit", 3, 0.4), ("Sorted a school uniform grant", 2, 0.2),
    ("Got a bailiff visit stopped", 3, 0.25), ("Sorted a debt relief order", 4, 0.08),
    ("Got a housing move agreed", 5, 0.05), ("Set up a mental-health assessment", 4, 0.1),
]
NOTES = {
    "working": ["Paying a bit each week now", "Back at the food bank as a volunteer",
                "Letters opened together, calmer", "Started the course"],
    "not_yet": ["Still waiting on UC", "Hard to get hold of this week", "Landlord not answering"],
    "stuck": ["Bailiff letter again", "Caught between housing and council tax rules",
              "Won't open the door"],
}
WELFARE_NOTES = ["Long week", "Good to see Bella smiling", "Need a hand with the DRO",
                 "Proud of the team", ""]


def _weekdays(today):
    start = today - timedelta(days=DAYS)
    return [start + timedelta(days=n) for n in range(DAYS) if
            (start + timedelta(days=n)).weekday() < 5]


def seed(demo: DemoContext) -> None:
    team = demo.team
    if Debrief.objects.filter(team=team).exists():
        return
    rng = random.Random(42)
    today = timezone.localdate()
    members = list(team.members.all())
    coordinator = next((u for u in members if u.username == "cora"), members[0])
    activities = [Activity.objects.create(team=team, name=name, complexity=complexity,
                                          created_by=coordinator)
                  for name, complexity, _ in ACTIVITIES]
    cases = list(Case.objects.filter(team=team))
    for day in _weekdays(today)[:-1]:  # today's debrief is left for the demo
        started = timezone.make_aware(datetime.combine(day, time(9, 15)))
        debrief = Debrief.objects.create(
            team=team, held_on=day, started_by=coordinator, started_at=started,
            closed_at=started + timedelta(minutes=40), closed_by=coordinator,
            reflection=rng.choice(["Kept it short and useful", "Spent too long on one case",
                                   "Good energy", "Need to bring the hold reviews earlier"]))
        present = [m for m in members if rng.random() < 0.9] or [coordinator]
        Attendance.objects.bulk_create([Attendance(debrief=debrief, user=m, present=m in present)
                                        for m in members])
        open_cases = [c for c in cases if c.opened_on <= day
                      and (c.closed_on is None or c.closed_on >= day)]
        entries = []
        for case in rng.sample(open_cases, k=min(len(open_cases), rng.randint(5, 10))):
            known_for = (day - case.opened_on).days
            working = min(0.8, 0.1 + known_for / 120)
            progress = rng.choices(["working", "not_yet", "stuck", "not_discussed"],
                                   weights=[working, 0.5 - working / 3, 0.25 - working / 6, 0.1])[0]
            note = rng.choice(NOTES[progress]) if progress in NOTES and rng.random() < 0.6 else ""
            entries.append(Entry(debrief=debrief, case=case, progress=progress, note=note,
                                 updated_by=rng.choice(present)))
        Entry.objects.bulk_create(entries)
        Stroke.objects.bulk_create([
            Stroke(activity=activity, debrief=debrief, added_by=rng.choice(present))
            for activity, (_, _, often) in zip(activities, ACTIVITIES, strict=True)
            for _ in range(rng.randint(0, 2)) if rng.random() < often])
        Welfare.objects.bulk_create([
            Welfare(debrief=debrief, user=m, feeling=rng.choice([2, 3, 3, 4, 4, 4, 5]),
                    note=rng.choice(WELFARE_NOTES)) for m in present])
