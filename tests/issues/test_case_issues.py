"""The issues a case illustrates, for the case page."""

import re

import pytest
from django.template.loader import render_to_string

from issues.services import issues_for_case
from tests.issues.factories import IssueFactory

pytestmark = pytest.mark.django_db


def test_issues_for_a_case_are_those_it_illustrates_within_reach(
        caseworker, leader, team, other_team, case, issue, django_assert_num_queries):
    IssueFactory(team=team, raised_by=caseworker, title="Not about this case")
    elsewhere = IssueFactory(team=other_team, raised_by=leader, cases=[case],
                             title="Raised by another team")
    caseworker.has_perm("accounts.work_cases")  # permissions load once per request
    with django_assert_num_queries(1):
        assert issues_for_case(case, caseworker) == [issue]
    assert set(issues_for_case(case, leader)) == {issue, elsewhere}


def test_the_case_section_lists_the_issues_with_links(caseworker, coordinator, case, issue):
    issue.change(by=caseworker, version=1, owner=coordinator)
    html = render_to_string("issues/includes/case_issues.jinja",
                            {"issues": issues_for_case(case, caseworker)}, using="jinja2")
    assert f'href="/issues/{issue.pk}/"' in html
    assert "Can&#x27;t move a tenant with rent arrears" in html
    assert "2 System" in html and "Cora Hepple" in html


def test_the_case_section_says_when_there_are_none(caseworker, case):
    html = render_to_string("issues/includes/case_issues.jinja",
                            {"issues": issues_for_case(case, caseworker)}, using="jinja2")
    assert "No issues linked to this case yet." in html


def test_the_quick_add_include_embeds_on_another_page_with_the_case(rf, caseworker, case):
    from issues.forms import QuickIssueForm

    request = rf.get(f"/cases/{case.pk}/")
    request.user = caseworker
    html = render_to_string("issues/includes/quick_add.html",
                            {"issue_form": QuickIssueForm(), "case": case}, request=request)
    assert 'hx-post="/issues/quick-add"' in html and 'action="/issues/quick-add"' in html
    assert f'name="quick-case" value="{case.pk}"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_case_page_shows_its_issues_and_the_quick_form_with_the_case(
        signed_in, caseworker, case, issue):
    """The issues' panel (issues.panels): the issues the case illustrates, and the quick form
    linked to the case, posting with the page's CSRF token."""
    page = signed_in(caseworker).get(f"/cases/{case.pk}/").text
    section = page[page.index('id="case-issues-heading"'):]
    assert f'href="/issues/{issue.pk}/">#{issue.pk} Can&#x27;t move a tenant' in section
    assert "2 System</strong>" in section
    form = page[page.index('id="quick-issue"'):]
    form = form[:form.index("</form>")]
    assert 'hx-post="/issues/quick-add"' in form
    assert f'name="quick-case" value="{case.pk}"' in form
    assert re.search(r'name="csrfmiddlewaretoken" value="\w{32,}"', form)


def test_the_case_page_offers_no_quick_form_on_a_closed_case(signed_in, caseworker, case):
    case.close(note="Moved away")
    page = signed_in(caseworker).get(f"/cases/{case.pk}/").text
    assert "No issues linked to this case yet." in page and 'id="quick-issue"' not in page


def test_a_new_issues_fields_are_kept_as_the_form_writes_them(signed_in, caseworker, case):
    """issues.forms.new_quick_issue_fields: what QuickIssueForm writes for a new issue, kept;
    the case page shows them, and a sent form with a mistake is written from the form."""
    from django.template.loader import render_to_string

    from issues.forms import QuickIssueForm, new_quick_issue_fields

    fresh = render_to_string("issues/includes/quick_issue_fields.jinja",
                             {"issue_form": QuickIssueForm()}, using="jinja2")
    assert new_quick_issue_fields() == fresh and 'name="quick-title"' in fresh
    page = signed_in(caseworker).get(f"/cases/{case.pk}/").text
    assert fresh in page
    sent = render_to_string("issues/includes/quick_add.jinja", {
        "issue_form": QuickIssueForm({"quick-title": "", "quick-countermeasure": "Rang them"}),
        "new_issue_fields": fresh}, using="jinja2")
    assert "Rang them" in sent and "govuk-error-message" in sent
