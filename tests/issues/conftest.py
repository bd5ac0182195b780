import pytest

from issues.models import Issue
from tests.caseload.conftest import case, other_case  # noqa: F401 - shared fixtures
from tests.issues.factories import IssueFactory


@pytest.fixture
def issue(team, caseworker, case) -> Issue:  # noqa: F811 - the case fixture
    return IssueFactory(team=team, raised_by=caseworker, cases=[case],
                        title="Can't move a tenant with rent arrears")


@pytest.fixture
def other_issue(other_team, other_case) -> Issue:  # noqa: F811
    return IssueFactory(team=other_team, raised_by=other_case.lead, cases=[other_case],
                        title="Hillside's own issue")
