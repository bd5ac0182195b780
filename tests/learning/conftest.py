import pytest

from accounts.roles import Role
from tests.learning.factories import build_story


@pytest.fixture
def third_worker(make_user, team):
    return make_user(Role.CASEWORKER, team=team, username="sam", first_name="Sam",
                     last_name="Hepple")


@pytest.fixture
def other_lead(make_user, other_team):
    return make_user(Role.CASEWORKER, team=other_team, username="hilda", first_name="Hilda",
                     last_name="Purvis")


@pytest.fixture
def story(team, other_team, caseworker, coordinator, third_worker, other_lead):
    return build_story(team, other_team, caseworker, coordinator, third_worker, other_lead)
