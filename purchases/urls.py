from django.urls import path

from purchases.views import spend

app_name = "purchases"

urlpatterns = [
    path("", spend.purchase_list, name="purchase-list"),
    path("new", spend.purchase_create, name="purchase-create"),
    path("review", spend.review_queue, name="review-queue"),
    path("export", spend.purchase_export, name="export"),
    path("overview", spend.spend_overview_page, name="overview"),
    path("<int:pk>/", spend.purchase_detail, name="purchase-detail"),
    path("<int:pk>/edit", spend.purchase_edit, name="purchase-edit"),
    path("<int:pk>/void", spend.purchase_void, name="purchase-void"),
    path("<int:pk>/answer", spend.purchase_answer, name="purchase-answer"),
    path("<int:pk>/review", spend.purchase_review, name="purchase-review"),
    path("<int:pk>/receipt", spend.receipt_download, name="receipt-download"),
]
