import pytest

from debriefs.services import debrief_start
from tests.caseload.conftest import case, other_case  # noqa: F401  (shared case fixtures)


@pytest.fixture
def debrief(team, coordinator, caseworker):
    return debrief_start(team=team, by=coordinator)
