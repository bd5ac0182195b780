"""Ids typed into the address that are not plain ASCII digits (or are too long for the
database) are treated as absent, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "1" * 30]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("path", [
    "/account/access-log?before={}",
    "/privacy/subject-access/new?person={}",
    "/privacy/subject-access/?case={}",
    "/purchases/?page={}",
])
def test_an_odd_id_in_the_address_is_not_a_server_error(signed_in, leader, path, value):
    response = signed_in(leader).get(path.format(value))
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("path", ["/issues/new?case={}", "/purchases/new?case={}"])
def test_a_caseworkers_odd_case_id_is_ignored(signed_in, caseworker, path, value):
    assert signed_in(caseworker).get(path.format(value)).status_code == 200


@pytest.mark.parametrize("value", ["9" * 19, "1" * 30])
@pytest.mark.parametrize("path", ["/cases/{}/", "/debriefs/{}/"])
def test_an_id_too_big_for_the_database_is_not_found(signed_in, coordinator, path, value):
    """Read by compiled queries (accounts/compiled.py), as the ORM would: no such record."""
    assert signed_in(coordinator).get(path.format(value)).status_code == 404
