"""Two-step sign-in (TOTP from an authenticator app, with one-time recovery codes).

Leaders, auditors and admins must use it; anyone else may turn it on. Until the second step
is done, a signed-in session reaches only the pages listed in MFA_PAGES.
"""

import io
import secrets

import segno
from django.conf import settings
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def must_use_mfa(user) -> bool:
    return any(user.has_perm(p) for p in settings.MFA_REQUIRED_FOR)


def uses_mfa(user) -> bool:
    """Whether this user's sign-in needs a second step. One or two queries."""
    return must_use_mfa(user) or user_has_device(user)


def pending_totp_device(user) -> TOTPDevice:
    """The authenticator being set up: made once, confirmed when the first code matches."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Authenticator app",
                                                 confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no script, no style)."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, border=2,
        title="QR code for your authenticator app", svgclass="app-qr", lineclass=None)
    return out.getvalue().decode()


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with 10 new ones, each usable once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes",
                                                  defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]
