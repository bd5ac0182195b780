from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in)
def remember_sign_in_time(sender, request, user, **kwargs):
    """The absolute session limit counts from here (see SessionLifetimeMiddleware)."""
    if request is not None and hasattr(request, "session"):
        request.session["signed_in_at"] = timezone.now().timestamp()
