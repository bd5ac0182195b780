import pytest

from caseload.models import Case
from tests.factories import CaseFactory


@pytest.fixture
def case(team, caseworker) -> Case:
    return CaseFactory(team=team, lead=caseworker, person__name="Joanne Robson",
                       person__phone="07700 900123")


@pytest.fixture
def other_case(other_team, make_user) -> Case:
    lead = make_user("caseworker", team=other_team, username="hilda")
    return CaseFactory(team=other_team, lead=lead, person__name="Peter Armstrong")
