from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("new", views.issue_create, name="issue-create"),
    path("quick-add", views.issue_quick_add, name="issue-quick-add"),
    path("grid", views.issue_grid, name="issue-grid"),
    path("new-normal", views.new_normal, name="new-normal"),
    path("export.csv", views.issue_export, {"fmt": "csv"}, name="issue-export-csv"),
    path("export.xlsx", views.issue_export, {"fmt": "xlsx"}, name="issue-export-xlsx"),
    path("<int:pk>/", views.issue_detail, name="issue-detail"),
    path("<int:pk>/edit", views.issue_edit, name="issue-edit"),
    path("<int:pk>/close", views.issue_close, name="issue-close"),
    path("<int:pk>/reopen", views.issue_reopen, name="issue-reopen"),
    path("<int:pk>/take", views.issue_take, name="issue-take"),
    path("<int:pk>/updates/new", views.update_create, name="update-create"),
]
