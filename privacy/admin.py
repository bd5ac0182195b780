from django.contrib import admin

from privacy.models import RetentionRun, Tombstone


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what retention did: written only by `apply_retention`, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "dry_run", "run_by"]
    list_filter = ["dry_run"]
    date_hierarchy = "started_at"


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ["case_reference", "team", "opened_on", "closed_on", "anonymised_at"]
    list_filter = ["team"]
    search_fields = ["case_reference"]
    list_select_related = ["team"]
    date_hierarchy = "anonymised_at"
