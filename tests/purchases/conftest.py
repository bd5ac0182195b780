import pytest

from tests.caseload.conftest import case, other_case  # noqa: F401  (shared case fixtures)
from tests.purchases.factories import CardFactory, PurchaseFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Receipts go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def card(caseworker, team):
    return CardFactory(holder=caseworker, team=team, last_four="1234")


@pytest.fixture
def purchase(case, caseworker, card):  # noqa: F811  (pytest fixtures)
    return PurchaseFactory(case=case, worker=caseworker, card=card)


@pytest.fixture
def other_purchase(other_case):  # noqa: F811
    return PurchaseFactory(case=other_case, merchant="Greggs")
