"""Six months of believable purchase-card spend for the demo team: cards, monthly pots and
about 120 purchases, a few flagged for advice, queried, not OK, voided or missing a receipt.

Each month before this one has its cards' statements: every purchase not voided has its line,
matched, except one a month that the provider never charged; and one or two lines a month
that nobody logged, on another card.

Deterministic (random.Random(42)) and idempotent: does nothing if the team already has spend.
Receipts are tiny generated PNGs and PDFs.
"""

import random
import struct
import uuid
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pghistory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.demo import DemoContext
from accounts.roles import Role
from accounts.shortcuts import next_month
from caseload.models import Case

from .models import BudgetPot, Card, Purchase, Statement, StatementLine

PURCHASES, DAYS, MONTHS = 120, 182, 6
FEATURED = {40: "Halfords", 85: "Currys"}  # purchase number -> merchant
# category, merchant, what it was for, lowest and highest price in pounds, weight
ITEMS = [
    ("food", "Asda", "Food shop: cupboards empty until payday", 18, 45, 14),
    ("food", "Tesco", "Food shop for the family until the UC payment lands", 20, 50, 10),
    ("food", "Greggs", "Lunch while we sorted the forms together", 4, 9, 4),
    ("heating_energy", "PayPoint", "Electricity key top-up", 20, 20, 12),
    ("heating_energy", "British Gas", "Gas top-up: meter on emergency credit", 20, 30, 8),
    ("clothing", "Matalan", "A winter coat", 30, 45, 4),
    ("clothing", "Primark", "School uniform for the kids", 20, 40, 4),
    ("clothing", "Sports Direct", "Work boots for the warehouse job", 35, 55, 3),
    ("transport", "Go North East", "A month's bus pass to get to work trials", 65, 65, 6),
    ("transport", "Nexus", "Metro tickets to the jobcentre appointment", 3, 8, 5),
    ("transport", "Halfords", "A bicycle to get to the new job", 140, 140, 1),
    ("household_furniture", "Currys", "A cooker: the old one was condemned", 189, 189, 1),
    ("household_furniture", "British Heart Foundation", "A second-hand sofa for the new flat",
     60, 90, 2),
    ("household_furniture", "B&M", "Bedding and towels for the new flat", 20, 40, 4),
    ("household_furniture", "Argos", "A kettle and a toaster", 20, 35, 3),
    ("phone_digital", "Vodafone", "Phone top-up so they can take calls from DWP", 10, 20, 6),
    ("phone_digital", "CeX", "A second-hand phone for job searches and UC", 40, 70, 2),
    ("other", "Post Office", "Passport photos for ID", 6, 6, 2),
    ("other", "Gateshead Register Office", "A birth certificate for ID", 11, 11, 2),
]
PLAN_REASONS = {
    "proportionate": "Small sum against what it saves: {m} was the cheapest option",
    "legal": "An ordinary purchase from a normal shop",
    "auditable": "Linked to the case, logged the same day",
    "necessary": "They had no way to get it themselves this week",
}
NO_RECEIPT = ["Online top-up: the confirmation came by text", "Till receipt faded in the rain",
              "Bus driver gave no ticket", "Receipt went with the shopping, lost"]
ADVICE = ["Fine. Next time check the food bank first.",
          "Right call. Ask housing about the furniture grant too.",
          "Good. Keep the receipt with the case notes."]
QUERIES = ["Which shop was this? The statement shows a different name.",
           "Can you say a bit more about why it couldn't wait?",
           "Was this for the person, or for the household?"]
ANSWERS = ["It was the Asda at the Metrocentre; it shows as ASDA STORES on the statement.",
           "The electric was off and the baby was due home from hospital.",
           "For the household: mam and two kids."]
# Statement lines nobody logged: merchant as the provider shows it, lowest and highest pence.
UNLOGGED = [("COSTA COFFEE 4411", 250, 690), ("AMAZON MKTPLACE", 899, 2499),
            ("POUNDLAND 1187", 150, 800), ("NEXUS TRAVEL", 330, 980)]
NOT_OK = [("A second phone in a month: talk to me before the next one.", "phone_digital"),
          ("We shouldn't buy cigarettes, even in a food shop. Let's talk.", "food")]


def _png() -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _pdf(merchant: str, amount: Decimal) -> bytes:
    text = f"{merchant} receipt: GBP {amount}".encode()
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + text
            + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _month_starts(today: date, months: int) -> list[date]:
    starts, first = [], today.replace(day=1)
    for _ in range(months + 1):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(starts)


def _seed_cards_and_pots(demo: DemoContext, today: date) -> dict[int, Card]:
    cards = {}
    for n, worker in enumerate(demo.caseworkers):
        cards[worker.pk], _ = Card.objects.get_or_create(
            holder=worker, team=demo.team, defaults={
                "last_four": f"{4417 + n * 1283:04d}"[-4:],
                "per_transaction_guidance": Decimal("250.00"),
                "monthly_guidance": Decimal("800.00")})
    for start in _month_starts(today, MONTHS):
        BudgetPot.objects.get_or_create(team=demo.team, period_start=start, defaults={
            "period_end": next_month(start),
            "amount": Decimal("2500.00")})
    return cards


def seed(demo: DemoContext) -> None:
    today = timezone.localdate()
    cards = _seed_cards_and_pots(demo, today)
    if Purchase.objects.filter(team=demo.team).exists():
        return
    rng = random.Random(42)
    cases = list(Case.objects.filter(team=demo.team).select_related("lead"))
    if not cases:
        return
    leader, coordinator = demo.users[Role.LEADER], demo.users[Role.COORDINATOR]
    weights = [item[-1] for item in ITEMS]
    purchases = []
    for n in range(PURCHASES):
        day = today - timedelta(days=int(DAYS * (1 - (n + rng.random()) / PURCHASES)))
        open_then = [c for c in cases
                     if c.opened_on <= day and (c.closed_on is None or day <= c.closed_on)]
        if not open_then:
            continue
        case = rng.choice(open_then)
        worker = case.lead if rng.random() < 0.85 else rng.choice(demo.caseworkers)
        item = rng.choices(ITEMS, weights)[0]
        if n in FEATURED:  # the bicycle and the cooker people remember
            item = next(i for i in ITEMS if i[1] == FEATURED[n])
        category, merchant, purpose, low, high, _ = item
        amount = Decimal(rng.randint(low * 100, high * 100)) / 100 if low != high else Decimal(low)
        purchase = Purchase(
            case=case, team_id=case.team_id, worker=worker, card=cards[worker.pk], date=day,
            merchant=merchant,
            amount=amount.quantize(Decimal("0.01")), category=category, purpose=purpose,
            created_by=worker, updated_by=worker,
            **{f"plan_{k}": True for k in PLAN_REASONS},
            **{f"plan_{k}_reason": r.format(m=merchant) for k, r in PLAN_REASONS.items()})
        roll = rng.random()
        if roll < 0.6:
            data = _png() if rng.random() < 0.7 else _pdf(merchant, amount)
            extension, content_type = (("png", "image/png") if data.startswith(b"\x89PNG")
                                       else ("pdf", "application/pdf"))
            name = f"receipts/{uuid.UUID(int=rng.getrandbits(128)).hex}.{extension}"
            purchase.receipt = default_storage.save(name, ContentFile(data))
            purchase.receipt_content_type = content_type
        elif roll < 0.94:
            purchase.no_receipt_reason = rng.choice(NO_RECEIPT)
        # else: receipt missing (a few)
        purchases.append(purchase)
    Purchase.objects.bulk_create(purchases)
    _seed_afterwards(purchases, rng, today, leader=leader, coordinator=coordinator)
    _seed_statements(purchases, cards, today, leader=leader)


def _at(day: date, hours: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9))) + timedelta(hours=hours)


def _seed_afterwards(purchases: list[Purchase], rng: random.Random, today: date, *, leader,
                     coordinator) -> None:
    """Advice, reviews, answers and voids, each saved as its own change by the person who
    made it, so each purchase's history reads as it happened."""
    older = [p for p in purchases if (today - p.date).days > 14]
    advice = rng.sample(purchases, 9)
    queried = rng.sample(older, 6)
    not_ok = []
    for _, category in NOT_OK:
        candidates = [p for p in older if p not in queried + not_ok]
        not_ok.append(rng.choice([p for p in candidates if p.category == category]
                                 or candidates))
    voided = rng.sample([p for p in older if p not in queried + not_ok], 2)
    for p in advice:
        p.advice_asked = True
    Purchase.objects.bulk_update(advice, ["advice_asked"])

    given = [p for p in advice if (today - p.date).days > 3][:6]
    for n, p in enumerate(given):
        p.advice_given, p.advice_given_by = ADVICE[n % len(ADVICE)], coordinator
        p.advice_given_at, p.version = _at(p.date, 24 + 8), p.version + 1
        p.updated_by = coordinator
    with pghistory.context(user=coordinator.pk):
        Purchase.objects.bulk_update(given, ["advice_given", "advice_given_by",
                                             "advice_given_at", "version", "updated_by"])

    reviewed = [p for p in older if p not in voided]
    for p in reviewed:
        p.review_verdict, p.review_note = Purchase.Verdict.OK, ""
        if p in queried:
            p.review_verdict, p.review_note = Purchase.Verdict.QUERY, rng.choice(QUERIES)
        elif p in not_ok:
            p.review_verdict = Purchase.Verdict.NOT_OK
            p.review_note = NOT_OK[not_ok.index(p)][0]
        p.reviewed_by, p.reviewed_at = leader, _at(p.date, 24 * rng.randint(3, 12))
        p.version, p.updated_by = p.version + 1, leader
    with pghistory.context(user=leader.pk):
        Purchase.objects.bulk_update(reviewed, ["review_verdict", "review_note", "reviewed_by",
                                                "reviewed_at", "version", "updated_by"])

    for n, p in enumerate(queried[:4]):
        p.query_answer = ANSWERS[n % len(ANSWERS)]
        p.query_answered_at = p.reviewed_at + timedelta(days=1)
        p.version, p.updated_by = p.version + 1, p.worker
        with pghistory.context(user=p.worker_id):
            Purchase.objects.bulk_update([p], ["query_answer", "query_answered_at", "version",
                                               "updated_by"])

    for p, reason in zip(voided, ["Logged twice by mistake", "Shop refunded it to the card"],
                         strict=True):
        p.voided, p.void_reason, p.voided_by = True, reason, p.worker
        p.voided_at, p.version, p.updated_by = _at(p.date, 30), p.version + 1, p.worker
        with pghistory.context(user=p.worker_id):
            Purchase.objects.bulk_update([p], ["voided", "void_reason", "voided_by",
                                               "voided_at", "version", "updated_by"])


def _seed_statements(purchases: list[Purchase], cards: dict[int, Card], today: date, *,
                     leader) -> None:
    """A statement per card for each month before this one. Lines for logged purchases are
    matched as the import would match them; the exceptions are put on different cards, so
    each month shows exactly one purchase with no line and one or two lines nobody logged."""
    rng = random.Random(7)
    counted = [p for p in purchases if not p.voided]
    now, lines = timezone.now(), []
    for month in _month_starts(today, MONTHS)[:-1]:
        end = next_month(month)
        in_month = [p for p in counted if month <= p.date < end]
        if not in_month:
            continue
        statements = {card.pk: Statement(card=card, month=month, uploaded_by=leader,
                                         file_name=f"statement-{month:%Y-%m}.csv")
                      for card in cards.values()}
        with pghistory.context(user=leader.pk):
            Statement.objects.bulk_create(statements.values())
        never_charged = rng.choice(in_month)
        for n, p in enumerate(in_month):
            if p is never_charged:
                continue
            posted = min(p.date + timedelta(days=rng.choice([0, 0, 1])), end - timedelta(days=1))
            lines.append(StatementLine(
                statement=statements[p.card_id], transaction_id=f"DEMO-{month:%Y%m}-{n:04d}",
                date=posted, merchant=p.merchant.upper(), amount=p.amount, purchase=p,
                matched_how=StatementLine.How.AUTO, matched_by=leader, matched_at=now))
        others = [pk for pk in statements if pk != never_charged.card_id] or [
            never_charged.card_id]
        for n in range(rng.choice([1, 2])):
            merchant, low, high = rng.choice(UNLOGGED)
            lines.append(StatementLine(
                statement=statements[rng.choice(others)],
                transaction_id=f"DEMO-{month:%Y%m}-U{n}",
                date=month + timedelta(days=rng.randrange((end - month).days)),
                merchant=merchant, amount=Decimal(rng.randint(low, high)) / 100))
    with pghistory.context(user=leader.pk):
        StatementLine.objects.bulk_create(lines)
