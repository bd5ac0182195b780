"""Receipts are served only to those who may see the purchase, as attachments, and logged."""

import pytest
from django.core.files.base import ContentFile

from accounts.models import AccessLog
from tests.purchases.receipts import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_receipt(purchase):
    purchase.receipt.save("receipt.png", ContentFile(png_bytes()), save=False)
    purchase.receipt_content_type = "image/png"
    purchase.save()
    return purchase


@pytest.mark.parametrize("who", ["caseworker", "leader", "auditor"])
def test_receipt_downloads_as_an_attachment_and_the_download_is_logged(
        request, signed_in, with_receipt, who):
    user = request.getfixturevalue(who)
    response = signed_in(user).get(f"/purchases/{with_receipt.pk}/receipt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{with_receipt.pk}.png"')
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    log = AccessLog.objects.for_object(with_receipt).get()
    assert (log.user, log.action) == (user, AccessLog.Action.DOWNLOAD)
    assert "Robson" not in log.label


def test_receipt_is_hidden_from_other_teams_and_people_without_a_role(
        signed_in, with_receipt, make_user, other_team):
    other = make_user("caseworker", team=other_team)
    assert signed_in(other).get(f"/purchases/{with_receipt.pk}/receipt").status_code == 404
    assert signed_in(make_user()).get(f"/purchases/{with_receipt.pk}/receipt").status_code == 403
    assert not AccessLog.objects.exists()


def test_no_receipt_is_not_found(signed_in, caseworker, purchase):
    assert signed_in(caseworker).get(f"/purchases/{purchase.pk}/receipt").status_code == 404


def test_receipts_are_stored_under_a_generated_name_outside_any_public_url(with_receipt):
    from django.conf import settings
    from django.urls import Resolver404, resolve

    assert with_receipt.receipt.name.startswith("receipts/")
    assert len(with_receipt.receipt.name) == len("receipts/") + 32 + len(".png")
    for prefix in ("/media/", "/static/", "/"):
        with pytest.raises(Resolver404):
            resolve(prefix + with_receipt.receipt.name)
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
