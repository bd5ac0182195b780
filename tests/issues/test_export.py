"""The export for lobbying: CSV and XLSX, streamed, no personal data, formulas defused."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import AccessLog
from tests.issues.factories import IssueFactory, many_issues

pytestmark = pytest.mark.django_db

HEADERS = ["Issue number", "Title", "Level", "Status", "Owner level", "Team",
           "What is in the way", "A law or rule got in the way", "Countermeasure (now)",
           "System change (new normal)", "Raised on", "Closed on", "How it was closed",
           "Case examples"]


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def macro(team, caseworker, case, other_case):
    return IssueFactory(team=team, raised_by=caseworker, level=3, owner_level="government",
                        title="Universal Credit five-week wait", category="law",
                        law_or_rule_in_way=True, countermeasure="Food shops on the card",
                        cases=[case, other_case])


def test_macro_issues_export_as_csv_with_a_count_of_case_examples(signed_in, leader, macro,
                                                                  issue):
    response = signed_in(leader).get("/issues/export.csv?level=3&status=all")
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="issues-')
    rows = read_csv(response)
    assert rows[0] == HEADERS
    assert rows[1:] == [[str(macro.pk), "Universal Credit five-week wait", "3 Macro", "Open",
                         "Government", "Riverside", "Regulation or law", "Yes",
                         "Food shops on the card", "", str(macro.raised_on), "", "", "2"]]


def test_the_export_is_the_logs_filtered_set_as_xlsx(signed_in, caseworker, macro, issue):
    response = signed_in(caseworker).get("/issues/export.xlsx?level=2")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response)
    assert rows[0] == HEADERS
    assert [row[1] for row in rows[1:]] == [issue.title]
    assert rows[1][0] == issue.pk and rows[1][-1] == 1  # numbers stay numbers


def test_cells_that_look_like_formulas_are_defused(signed_in, leader, team, caseworker):
    for text in ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR"]:
        IssueFactory(team=team, raised_by=caseworker, title=text, countermeasure=text)
    client = signed_in(leader)
    for rows in (read_csv(client.get("/issues/export.csv")),
                 read_xlsx(client.get("/issues/export.xlsx"))):
        titles = sorted(row[1] for row in rows[1:])
        assert all(t.startswith("'") for t in titles), titles
        assert all(row[8].startswith("'") for row in rows[1:])


def test_the_export_carries_no_personal_data_or_case_references(signed_in, leader, macro, case,
                                                                other_case):
    client = signed_in(leader)
    for response in (client.get("/issues/export.csv?status=all"),
                     client.get("/issues/export.xlsx?status=all")):
        content = b"".join(response.streaming_content)
        text = content.decode("utf-8") if response["Content-Type"] == "text/csv" else str(
            read_xlsx_bytes(content))
        for secret in ("Joanne Robson", "Peter Armstrong", "07700 900123", case.reference,
                       other_case.reference, case.lead.get_full_name()):
            assert secret not in text


def read_xlsx_bytes(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_caseworkers_export_has_only_their_teams_issues(signed_in, caseworker, issue,
                                                         other_issue):
    rows = read_csv(signed_in(caseworker).get("/issues/export.csv"))
    assert [row[1] for row in rows[1:]] == [issue.title]


def test_each_export_is_recorded_in_the_access_log(signed_in, auditor, macro):
    signed_in(auditor).get("/issues/export.xlsx?level=3")
    entry = AccessLog.objects.get()
    assert entry.user == auditor and entry.action == AccessLog.Action.EXPORT
    assert entry.object_type == "issues.issue" and entry.path == "/issues/export.xlsx?level=3"


def test_the_export_is_refused_to_roles_without_issue_capabilities(signed_in, service_admin):
    assert signed_in(service_admin).get("/issues/export.csv").status_code == 403
    assert not AccessLog.objects.exists()


def test_exporting_2000_issues_streams_in_chunks(signed_in, leader, team, caseworker, case,
                                                 django_assert_max_num_queries):
    many_issues(team, caseworker, 2000, cases=[case])
    client = signed_in(leader)
    with django_assert_max_num_queries(20):
        rows = read_csv(client.get("/issues/export.csv?status=all"))
        xlsx_rows = read_xlsx(client.get("/issues/export.xlsx?status=all"))
    assert len(rows) == len(xlsx_rows) == 2001
    assert sum(int(row[-1]) for row in rows[1:]) == 200
