import logging
from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from accounts import mfa
from accounts.forms import AccessLogSearchForm, SecondFactorForm, SignInForm
from accounts.home import home_sections
from accounts.models import AccessLog
from accounts.shortcuts import is_id, log_denied, render_form

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
@login_not_required
@never_cache
def sign_in(request):
    next_url = _safe_next(request, "")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    status = 422 if form.errors else 200
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url},
                  status=status)


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """Shown by django-axes instead of the sign-in page once a username is locked here."""
    return render(request, "accounts/locked_out.html",
                  {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}, status=429)


@require_GET
def home(request):
    return render(request, "accounts/home.jinja", {"sections": home_sections(request.user)},
                  using="jinja2")


@require_GET
@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database did not answer")
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception=None):
    log_denied(request, 404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    log_denied(request, 403)
    return render(request, "403.html", status=403)


def server_error(request):
    """Render without context processors: they may be what failed."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_GET
def admin_sign_in(request):
    """The admin site signs people in through the service's own sign-in page (with its
    lockout and session rules), never a second login form."""
    if not request.user.is_staff:
        raise PermissionDenied
    return redirect(_safe_next(request, "/admin/"))


def _safe_next(request, default="/"):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                       require_https=request.is_secure()):
        return next_url
    return default


@require_http_methods(["GET", "POST"])
@never_cache
def mfa_setup(request):
    """Turn on two-step sign-in: scan the QR code, type the first code, keep the recovery
    codes (shown once)."""
    device = mfa.pending_totp_device(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return render(request, "accounts/mfa_recovery_codes.html", {
                "codes": mfa.new_recovery_codes(request.user), "next": _safe_next(request)})
        form.add_error("code", "That code did not match. Check the time on your phone is "
                               "right and type the newest code.")
    return render_form(request, "accounts/mfa_setup.html", {
        "form": form, "qr": mfa.qr_svg(device), "key": b32encode(device.bin_key).decode(),
        "required": mfa.must_use_mfa(request.user), "next": _safe_next(request, "")}, form)


@require_http_methods(["GET", "POST"])
@never_cache
def mfa_verify(request):
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        logger.warning("Second step failed for user %s", request.user.pk)
        form.add_error("code", "That code did not match. Type the newest code from your app, "
                               "or a recovery code you have not used.")
    return render_form(request, "accounts/mfa_verify.html",
                       {"form": form, "next": _safe_next(request, "")}, form)


ACCESS_LOG_PAGE = 50


@require_GET
def access_log(request):
    """Who looked at which record: leaders and admins search the access log, newest first,
    50 at a time ("Older entries" follows on from the last one shown, with no count)."""
    if not request.user.has_perm("accounts.read_access_log"):
        raise PermissionDenied
    form = AccessLogSearchForm(request.GET or None)
    entries = AccessLog.objects.select_related("user")
    if form.is_bound and not form.is_valid():
        return render_form(request, "accounts/access_log.html", {"form": form}, form)
    if form.is_bound:
        entries = form.filter(entries)
    before = request.GET.get("before", "")
    if is_id(before):
        entries = entries.filter(pk__lt=int(before))
    page = list(entries.order_by("-pk")[:ACCESS_LOG_PAGE + 1])
    older = page[ACCESS_LOG_PAGE - 1].pk if len(page) > ACCESS_LOG_PAGE else None
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "accounts/access_log.html", {
        "form": form, "entries": page[:ACCESS_LOG_PAGE], "older": older,
        "query_string": query.urlencode(), "searched": form.is_bound})
