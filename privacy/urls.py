from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("subject-access/", views.request_list, name="request-list"),
    path("subject-access/new", views.request_start, name="request-start"),
    path("subject-access/<int:pk>/", views.request_detail, name="request-detail"),
    path("subject-access/<int:pk>/withhold", views.request_withhold, name="request-withhold"),
    path("subject-access/<int:pk>/release", views.request_release, name="request-release"),
    path("subject-access/<int:pk>/bundle.html", views.download_html, name="download-html"),
    path("subject-access/<int:pk>/bundle.json", views.download_json, name="download-json"),
]
