from django.contrib import admin

from purchases.models import BudgetPot, Card, Purchase, Statement, StatementLine


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["last_four", "holder", "team", "active", "per_transaction_guidance",
                    "monthly_guidance"]
    list_filter = ["active", "team"]
    search_fields = ["last_four", "holder__first_name", "holder__last_name", "holder__username"]
    list_select_related = ["holder", "team"]

    def has_delete_permission(self, request, obj=None):
        return False  # a card with spend is kept; switch it off with "Active" instead


@admin.register(BudgetPot)
class BudgetPotAdmin(admin.ModelAdmin):
    list_display = ["team", "period_start", "period_end", "amount"]
    list_filter = ["team"]
    date_hierarchy = "period_start"
    list_select_related = ["team"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    """Read-only: purchases are logged, corrected, reviewed and voided in the service, where
    each change is checked and kept in the audit trail."""

    list_display = ["pk", "date", "case", "worker", "merchant", "amount", "review_verdict",
                    "voided"]
    list_filter = ["review_verdict", "voided", "category"]
    list_select_related = ["case", "worker"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ["date", "merchant", "amount", "transaction_id", "purchase", "matched_how",
              "matched_by", "matched_at"]
    readonly_fields = fields
    raw_id_fields = ["purchase"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Read-only: statements are imported and matched in the service, where every change is
    checked and kept in the audit trail."""

    list_display = ["month", "card", "file_name", "uploaded_by", "uploaded_at"]
    list_filter = ["month", "card__team"]
    list_select_related = ["card__holder", "uploaded_by"]
    inlines = [StatementLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
