"""A linked case shows by reference only to those who may see it; others see a count per
team. No person's name appears on any issue page or export, whoever looks."""

import io

import pytest
from openpyxl import load_workbook

from issues.models import Issue
from tests.issues.factories import IssueFactory, IssueUpdateFactory

pytestmark = pytest.mark.django_db

NAMES = ["Joanne Robson", "Peter Armstrong", "07700 900123"]


@pytest.fixture
def linked(team, caseworker, case, other_case):
    """A Riverside issue with a Riverside case and a Hillside case, an update, a change, and
    a closed twin (so it is in the new normal too)."""
    issue = IssueFactory(team=team, raised_by=caseworker, cases=[case, other_case],
                         title="Allocations rule")
    IssueUpdateFactory(issue=issue, by=caseworker, text="Rang housing")
    issue.change(by=caseworker, version=1, owner=caseworker, countermeasure="Exception asked")
    IssueFactory(team=team, raised_by=caseworker, cases=[case, other_case], title="Cards",
                 status="closed", closure="system_change", closure_note="Cards issued",
                 system_change="Spend at discretion", closed_on=issue.raised_on)
    return issue


def every_issue_page(client, issue, case):
    """Everything the issue log shows, as text."""
    pages = []
    for path in ["/issues/?status=all", f"/issues/{issue.pk}/", f"/issues/{issue.pk}/edit",
                 f"/issues/{issue.pk}/close", "/issues/grid", "/issues/new-normal",
                 f"/issues/quick-add?case={case.pk}", f"/issues/new?case={case.pk}"]:
        response = client.get(path)
        if response.status_code == 200:
            pages.append(response.text)
    update = client.post(f"/issues/{issue.pk}/updates/new", {"text": "More"},
                         HTTP_HX_REQUEST="true")
    if update.status_code == 200:
        pages.append(update.text)
    pages.append(b"".join(client.get("/issues/export.csv?status=all").streaming_content)
                 .decode("utf-8"))
    workbook = load_workbook(io.BytesIO(b"".join(
        client.get("/issues/export.xlsx?status=all").streaming_content)))
    pages.append(str(list(workbook.active.iter_rows(values_only=True))))
    return "\n".join(pages)


def test_no_issue_page_or_export_shows_a_persons_name_to_anyone(
        signed_in, caseworker, leader, auditor, linked, case):
    for user in (caseworker, leader, auditor):
        seen = every_issue_page(signed_in(user), linked, case)
        assert "Allocations rule" in seen
        for name in NAMES:
            assert name not in seen, (user, name)


def test_a_caseworker_sees_their_teams_case_and_only_a_count_of_another_teams(
        signed_in, caseworker, linked, case, other_case):
    seen = every_issue_page(signed_in(caseworker), linked, case)
    assert case.reference in seen
    assert other_case.reference not in seen
    page = signed_in(caseworker).get(f"/issues/{linked.pk}/").text
    assert f'href="/cases/{case.pk}/"' in page
    assert "1 case in Hillside" in page


def test_an_auditor_sees_no_case_references_only_counts_per_team(signed_in, auditor, linked,
                                                                 case, other_case):
    seen = every_issue_page(signed_in(auditor), linked, case)
    assert case.reference not in seen and other_case.reference not in seen
    page = signed_in(auditor).get(f"/issues/{linked.pk}/").text
    assert "1 case in Hillside" in page and "1 case in Riverside" in page
    assert "/cases/" not in page


def test_a_leader_sees_both_references_but_no_names(signed_in, leader, linked, case,
                                                    other_case):
    page = signed_in(leader).get(f"/issues/{linked.pk}/").text
    assert case.reference in page and other_case.reference in page


def test_the_export_never_has_case_references_even_for_leaders(signed_in, leader, linked,
                                                               case, other_case):
    client = signed_in(leader)
    text = b"".join(client.get("/issues/export.csv?status=all").streaming_content).decode()
    assert case.reference not in text and other_case.reference not in text
    assert Issue.objects.count() == 2


def test_another_teams_caseworker_cannot_reach_the_issue_at_all(signed_in, other_case, linked,
                                                                case):
    client = signed_in(other_case.lead)
    assert client.get(f"/issues/{linked.pk}/").status_code == 404
    seen = every_issue_page(client, linked, case)
    assert "Allocations rule" not in seen and case.reference not in seen
