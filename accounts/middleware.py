from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import BigIntegerField
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date
from django_otp import user_has_device
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.backends import request_user
from accounts.compiled import CompiledObjects, Slot
from accounts.mfa import must_use_mfa, uses_mfa
from accounts.shortcuts import is_id


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_AGE seconds after sign-in, however active it is, and
    keeps the idle limit (SESSION_COOKIE_AGE) running from the latest request.

    The idle limit is Django's session expiry. Saving the session on every request to push it
    back cost a write per request; instead the expiry is renewed when the session was last
    saved more than SESSION_RENEW_AFTER seconds ago, so an idle session ends at most that
    much early, never late.
    """

    RENEWED_AT = "renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            signed_in_at = request.session.get("signed_in_at")
            if signed_in_at is None or now - signed_in_at > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, "For your security you have been signed out. Sign in again.")
                return redirect(settings.LOGIN_URL)
            renewed_at = request.session.get(self.RENEWED_AT) or signed_in_at
            if now - renewed_at >= settings.SESSION_RENEW_AFTER:
                request.session[self.RENEWED_AT] = now  # saved, with a new expiry, after the view
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Personal data must not linger in browser or proxy caches: every response to a signed-in
    user says no-store, as Django's `never_cache` says it, and varies by cookie. A response
    that says nothing yet of caching (almost all) is given Django's headers as they come out,
    without parsing and writing them again (a fortieth of a millisecond on every page)."""

    NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            headers = response.headers
            if "Cache-Control" in headers or "Expires" in headers or "Vary" in headers:
                add_never_cache_headers(response)
                patch_vary_headers(response, ["Cookie"])
            else:
                headers["Expires"] = http_date()
                headers["Cache-Control"] = self.NEVER_CACHE
                headers["Vary"] = "Cookie"
        return response


class SecondFactorMiddleware:
    """A session that has the password but not the second step reaches only the two-step
    pages and sign-out. Runs after django_otp's OTPMiddleware (which sets is_verified)."""

    OPEN_VIEWS = {"accounts:mfa-verify", "accounts:mfa-setup", "accounts:sign-out",
                  "accounts:sign-in", "healthz"}
    NOT_USED = "two_step_not_used"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (not user.is_authenticated or request.session.get(self.NOT_USED)
                or user.is_verified() or request.resolver_match.view_name in self.OPEN_VIEWS):
            return None
        if not uses_mfa(user):
            # Remembered for this session only: it saves the device lookups on every request.
            # Turning two-step on verifies the session at once, so nothing is skipped.
            request.session[self.NOT_USED] = True
            return None
        target = "accounts:mfa-verify"
        if must_use_mfa(user) and not user_has_device(user):
            target = "accounts:mfa-setup"
        return redirect_to_login(request.get_full_path(), resolve_url(target))


_TOTP_LABEL = f"{TOTPDevice._meta.app_label}.{TOTPDevice._meta.model_name}"
# An authenticator app's device by id, compiled once (accounts/compiled.py).
_TOTP_DEVICE = CompiledObjects(TOTPDevice, lambda: TOTPDevice.objects.filter(
    pk=Slot("pk", BigIntegerField())))


class TwoStepDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (the device that verified the session's user, if any), with
    an authenticator app's device read by a compiled query: the ORM's query cost a
    leader's or an auditor's every page half a millisecond. The checks stay django-otp's own
    (the device must be the user's and confirmed); a recovery-code device is read as before.

    `request.user` is the user itself, not django-otp's lazy object around Django's: a page
    reads it a hundred times or more (its permissions, the navigation, the templates), each
    read through both. A request without a session cookie (a load balancer's `/healthz`)
    reads nothing for it; every page but the sign-in pages and `/healthz` needs the user
    anyway, to check it is signed in."""

    def __call__(self, request):
        if self._is_async:  # django-otp's own, lazy both ways
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is not None:
            if isinstance(user, SimpleLazyObject):  # AuthenticationMiddleware's: read it now,
                user = request_user(request)  # with the session's query
            request.user = self._verify_user_sync(request, user)
        return self.get_response(request)

    def _device_from_persistent_id(self, persistent_id: str):
        label, _, device_id = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label != _TOTP_LABEL or not is_id(device_id):
            return super()._device_from_persistent_id(persistent_id)
        found = _TOTP_DEVICE.objects({"pk": int(device_id)})
        return found[0] if found else None
