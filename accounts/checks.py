from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_database_roles(app_configs, **kwargs):
    """The app should not connect as the role that owns the tables: the owner can change or
    empty the audit trail and switch off its triggers (docs/operations.md#database-roles)."""
    runtime, owner = settings.DATABASES["default"], settings.DATABASES["owner"]
    if runtime.get("USER") != owner.get("USER"):
        return []
    return [Warning(
        "The app connects to the database as the role that owns the tables, so it could "
        "change or delete the audit trail.",
        hint="Set DATABASE_OWNER_URL to the owner role and DATABASE_URL to a runtime role of "
             "its own, then run `manage.py grant_runtime_role` (docs/operations.md).",
        id="liberated.W001",
    )]
