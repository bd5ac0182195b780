from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.navigation import nav_items_for


def service(request):
    return {
        "SERVICE_NAME": settings.SERVICE_NAME,
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "nav_items": SimpleLazyObject(
            lambda: nav_items_for(request.user, request.path) if hasattr(request, "user") else []
        ),
    }
