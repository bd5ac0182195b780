from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_AGE seconds after sign-in, however active it is.

    The idle limit is Django's own (SESSION_COOKIE_AGE renewed on every request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in_at = request.session.get("signed_in_at")
            age = timezone.now().timestamp() - (signed_in_at or 0)
            if signed_in_at is None or age > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, "For your security you have been signed out. Sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Personal data must not linger in browser or proxy caches: every response to a signed-in
    user says no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response
