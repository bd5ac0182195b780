"""Everything held about one person, as a plain structure, and the release of it.

A bundle is a dict that goes straight to JSON: sections per record type, each item with its
record type, id, a heading that never holds free text, and its fields (name, label, value).
Values are strings: dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM in UK time, money in pounds.
Free text lives only in fields, so withholding a field or a whole item takes its text out.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import AccessLog
from caseload.models import Person
from debriefs.models import Entry
from issues.models import Issue
from purchases.models import Purchase

WHOLE_RECORD = ""  # a redaction's field when the whole record is withheld


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"£{value:,.2f}"
    return str(value)


def _item(obj, heading: str, fields: Iterable[tuple[str, str, object]]) -> dict:
    """One record: fields given as (name, label, value); empty values are left out."""
    return {
        "type": obj._meta.label_lower,
        "id": str(obj.pk),
        "heading": heading,
        "fields": [{"name": name, "label": label, "value": _text(value)}
                   for name, label, value in fields if _text(value) != ""],
    }


def _section(key: str, title: str, items: list[dict]) -> dict:
    return {"key": key, "title": title, "items": items}


def gather(person: Person) -> dict:
    """Everything held about the person. Runs 12 queries however many records there are
    (1 when the person's case, team and lead are not loaded yet, plus 11)."""
    case = person.case
    return {
        "case_reference": case.reference,
        "gathered_at": _text(timezone.now()),
        "sections": [
            _section("person", "Your details", [_person(person)]),
            _section("case", "Your case", [_case(case)]),
            _section("what_matters", "What matters to you, each version",
                     [_what_matters(v) for v in
                      case.what_matters_versions.select_related("written_by")]),
            _section("contacts", "Visits, calls and messages",
                     [_contact(c) for c in case.contacts.select_related("worker")]),
            _section("pulls", "Specialists pulled in",
                     [_pull(p) for p in case.pulls.select_related("by")]),
            _section("debts", "Debts", [_debt(d) for d in case.debts.all()]),
            _section("holds", "Holds on enforcement",
                     [_hold(h) for h in case.holds.select_related(
                         "requested_by", "decided_by", "ended_by")]),
            _section("enforcement_decisions", "Enforcement decisions",
                     [_decision(d) for d in case.enforcement_decisions.select_related(
                         "recorded_by")]),
            _section("outcomes", "What changed for you",
                     [_outcome(o) for o in case.outcomes.select_related("recorded_by")]),
            _section("purchases", "What we bought for you",
                     [_purchase(p) for p in Purchase.objects.filter(case=case).select_related(
                         "worker", "reviewed_by", "advice_given_by")]),
            _section("debrief_entries", "Team debrief notes about you",
                     [_entry(e) for e in Entry.objects.filter(case=case).select_related(
                         "debrief", "debrief__team", "updated_by")]),
            _section("issues", "Problems in the system we logged with your case as an example",
                     [_issue(i) for i in Issue.objects.filter(cases=case).order_by("pk")]),
            _section("access_log", "Who has looked at your record",
                     [_access(a) for a in (AccessLog.objects.for_object(case)
                                            | AccessLog.objects.for_object(person))
                      .select_related("user").order_by("at", "pk")]),
        ],
    }


def _person(p: Person) -> dict:
    return _item(p, "Your details", [
        ("name", "Name", p.name), ("preferred_name", "What you like to be called",
                                   p.preferred_name),
        ("date_of_birth", "Date of birth", p.date_of_birth), ("phone", "Phone", p.phone),
        ("email", "Email", p.email), ("address", "Address", p.address),
        ("relationship", "On the case as", p.get_relationship_display()),
        ("created_at", "Recorded", p.created_at),
    ])


def _case(c) -> dict:
    return _item(c, f"Case {c.reference}", [
        ("reference", "Reference", c.reference), ("team", "Team", c.team),
        ("lead", "Lead caseworker", c.lead), ("status", "Status", c.get_status_display()),
        ("source", "How you came to us", c.get_source_display()),
        ("opened_on", "Opened", c.opened_on), ("closed_on", "Closed", c.closed_on),
        ("closing_note", "Why it was closed", c.closing_note),
        ("transitions", "Life changes", ", ".join(c.transition_labels())),
    ])


def _what_matters(v) -> dict:
    return _item(v, f"Written {_text(v.written_at)}", [
        ("what_matters", "What matters to you?", v.what_matters),
        ("good_life", "What does a good life look like?", v.good_life),
        ("what_we_can_do", "What can we do for you?", v.what_we_can_do),
        ("written_by", "Written by", v.written_by), ("written_at", "Written", v.written_at),
    ])


def _contact(c) -> dict:
    return _item(c, f"{c.get_kind_display()}, {_text(c.happened_at)}", [
        ("happened_at", "When", c.happened_at), ("kind", "What it was", c.get_kind_display()),
        ("worker", "Who from the team", c.worker), ("what_happened", "What happened",
                                                   c.what_happened),
        ("what_we_did", "What we did", c.what_we_did), ("next_step", "Next step", c.next_step),
        ("next_step_due", "Next step by", c.next_step_due),
        ("demand", "Kind of demand", c.get_demand_display()),
    ])


def _pull(p) -> dict:
    return _item(p, f"{p.get_specialist_display()}, {_text(p.pulled_on)}", [
        ("specialist", "Specialist", p.get_specialist_display()),
        ("who", "Name or organisation", p.who), ("what_for", "What for", p.what_for),
        ("pulled_on", "When", p.pulled_on), ("by", "Pulled in by", p.by),
    ])


def _debt(d) -> dict:
    return _item(d, f"{d.get_creditor_display()} debt", [
        ("creditor", "Owed to", d.get_creditor_display()),
        ("creditor_name", "Creditor's name", d.creditor_name), ("amount", "Amount", d.amount),
        ("as_of", "Amount as of", d.as_of),
        ("pay_status", "Can't pay or won't pay", d.get_pay_status_display()),
        ("notes", "Notes", d.notes),
    ])


def _hold(h) -> dict:
    return _item(h, f"{h.get_kind_display()} hold, asked for {_text(h.requested_at)}", [
        ("kind", "Enforcement held", h.get_kind_display()), ("reason", "Why", h.reason),
        ("status", "Status", h.get_status_display()), ("requested_by", "Asked for by",
                                                       h.requested_by),
        ("requested_at", "Asked for", h.requested_at), ("decided_by", "Decided by",
                                                        h.decided_by),
        ("decided_at", "Decided", h.decided_at), ("decision_note", "Decision note",
                                                  h.decision_note),
        ("review_on", "Review by", h.review_on), ("ended_by", "Ended by", h.ended_by),
        ("ended_at", "Ended", h.ended_at), ("end_reason", "Why it ended", h.end_reason),
    ])


def _decision(d) -> dict:
    return _item(d, f"{d.get_kind_display()}, {_text(d.decided_on)}", [
        ("kind", "Enforcement", d.get_kind_display()),
        ("went_ahead", "Did it go ahead?", d.went_ahead),
        ("should_we", "Just because we can, does it mean we should?", d.should_we),
        ("decided_on", "Decided", d.decided_on), ("recorded_by", "Recorded by", d.recorded_by),
    ])


def _outcome(o) -> dict:
    return _item(o, f"{o.get_kind_display()}, {_text(o.happened_on)}", [
        ("kind", "What changed", o.get_kind_display()), ("happened_on", "When", o.happened_on),
        ("weekly_amount", "Weekly amount", o.weekly_amount), ("note", "Note", o.note),
        ("recorded_by", "Recorded by", o.recorded_by),
    ])


def _purchase(p: Purchase) -> dict:
    return _item(p, f"Purchase, {_text(p.date)}", [
        ("date", "Date", p.date), ("merchant", "Where", p.merchant), ("amount", "Amount",
                                                                      p.amount),
        ("category", "Category", p.get_category_display()), ("purpose", "What it was for",
                                                             p.purpose),
        ("worker", "Bought by", p.worker),
        ("plan_proportionate_reason", "Why it is proportionate", p.plan_proportionate_reason),
        ("plan_legal_reason", "Why it is legal", p.plan_legal_reason),
        ("plan_auditable_reason", "Why it is auditable", p.plan_auditable_reason),
        ("plan_necessary_reason", "Why it is necessary", p.plan_necessary_reason),
        ("receipt", "Receipt kept", bool(p.receipt)),
        ("no_receipt_reason", "Why there is no receipt", p.no_receipt_reason),
        ("advice_given", "Advice from the team", p.advice_given),
        ("review_verdict", "Review", p.get_review_verdict_display() if p.review_verdict else ""),
        ("review_note", "Reviewer's note", p.review_note),
        ("query_answer", "Answer to the reviewer", p.query_answer),
        ("voided", "Voided", p.voided or None), ("void_reason", "Why it was voided",
                                                 p.void_reason),
    ])


def _entry(e: Entry) -> dict:
    return _item(e, f"Debrief, {_text(e.debrief.held_on)}", [
        ("held_on", "Debrief held", e.debrief.held_on), ("team", "Team", e.debrief.team),
        ("progress", "Is it working?", e.get_progress_display()), ("note", "Note", e.note),
        ("updated_by", "Recorded by", e.updated_by),
    ])


def _issue(i: Issue) -> dict:
    return _item(i, f"Issue {i.pk}, raised {_text(i.raised_on)}", [
        ("title", "Title", i.title), ("description", "Description", i.description),
        ("level", "Level", i.get_level_display()), ("status", "Status", i.get_status_display()),
        ("raised_on", "Raised", i.raised_on),
        ("countermeasure", "What we do now", i.countermeasure),
        ("system_change", "The change we want", i.system_change),
    ])


def _access(a: AccessLog) -> dict:
    return _item(a, f"{a.get_action_display()}, {_text(a.at)}", [
        ("at", "When", a.at), ("user", "Who", a.user),
        ("action", "What", a.get_action_display()),
    ])


def item_count(bundle: dict) -> int:
    return sum(len(section["items"]) for section in bundle["sections"])


def find_item(bundle: dict, record_type: str, record_id: str) -> dict | None:
    for section in bundle["sections"]:
        for item in section["items"]:
            if item["type"] == record_type and item["id"] == record_id:
                return item
    return None


def released(bundle: dict, redactions: Iterable) -> dict:
    """The bundle with every withheld record and field taken out. What was withheld is listed
    by section, with its reason, but none of its content. Redactions of records that are no
    longer held are left out."""
    marks = {(r.record_type, r.record_id, r.field): r.reason for r in redactions}
    withheld, sections = [], []
    for section in bundle["sections"]:
        items = []
        for item in section["items"]:
            key = (item["type"], item["id"])
            if (*key, WHOLE_RECORD) in marks:
                withheld.append({"section": section["title"], "what": "A whole record",
                                 "reason": marks[(*key, WHOLE_RECORD)]})
                continue
            fields = []
            for field in item["fields"]:
                reason = marks.get((*key, field["name"]))
                if reason is None:
                    fields.append(field)
                else:
                    withheld.append({"section": section["title"],
                                     "what": f"{field['label']} in one record",
                                     "reason": reason})
            # A heading is made from the record's fields (a kind, a date, a name of a creditor):
            # with any of them withheld, the record is headed only by its place in the section.
            heading = (item["heading"] if len(fields) == len(item["fields"])
                       else f"{section['title']}: record {len(items) + 1}")
            items.append({**item, "heading": heading, "fields": fields})
        sections.append({**section, "items": items})
    return {**bundle, "sections": sections, "withheld": withheld,
            "withheld_count": len(withheld)}


def bundle_digest(bundle: dict) -> str:
    """A fingerprint of the records in a bundle (not of its access log, which grows as the
    request is prepared): the release is refused if the records changed after the person
    releasing last saw them."""
    sections = [section for section in bundle["sections"] if section["key"] != "access_log"]
    return hashlib.sha256(json.dumps(sections, sort_keys=True, default=str).encode()).hexdigest()
