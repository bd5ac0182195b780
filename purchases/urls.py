from django.urls import path

from purchases import views

app_name = "purchases"

urlpatterns = [
    path("", views.purchase_list, name="purchase-list"),
    path("new", views.purchase_create, name="purchase-create"),
    path("review", views.review_queue, name="review-queue"),
    path("export", views.purchase_export, name="export"),
    path("overview", views.spend_overview_page, name="overview"),
    path("<int:pk>/", views.purchase_detail, name="purchase-detail"),
    path("<int:pk>/edit", views.purchase_edit, name="purchase-edit"),
    path("<int:pk>/void", views.purchase_void, name="purchase-void"),
    path("<int:pk>/answer", views.purchase_answer, name="purchase-answer"),
    path("<int:pk>/review", views.purchase_review, name="purchase-review"),
    path("<int:pk>/receipt", views.receipt_download, name="receipt-download"),
]
