from django.urls import path

from purchases.views import spend, statements
from purchases.views import transparency as transparency_views

app_name = "purchases"

urlpatterns = [
    path("", spend.purchase_list, name="purchase-list"),
    path("new", spend.purchase_create, name="purchase-create"),
    path("review", spend.review_queue, name="review-queue"),
    path("export", spend.purchase_export, name="export"),
    path("transparency", transparency_views.transparency_export, name="transparency"),
    path("overview", spend.spend_overview_page, name="overview"),
    path("statements/", statements.statement_list, name="statement-list"),
    path("statements/upload", statements.statement_upload, name="statement-upload"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/match-again", statements.statement_match_again,
         name="statement-match-again"),
    path("statements/lines/<int:pk>/match", statements.statement_line_match,
         name="statement-line-match"),
    path("statements/lines/<int:pk>/unmatch", statements.statement_line_unmatch,
         name="statement-line-unmatch"),
    path("<int:pk>/", spend.purchase_detail, name="purchase-detail"),
    path("<int:pk>/edit", spend.purchase_edit, name="purchase-edit"),
    path("<int:pk>/void", spend.purchase_void, name="purchase-void"),
    path("<int:pk>/answer", spend.purchase_answer, name="purchase-answer"),
    path("<int:pk>/review", spend.purchase_review, name="purchase-review"),
    path("<int:pk>/receipt", spend.receipt_download, name="receipt-download"),
]
