from django.urls import path

from debriefs import views

app_name = "debriefs"

urlpatterns = [
    path("", views.today, name="today"),
    path("start", views.start, name="start"),
    path("past", views.debrief_list, name="debrief-list"),
    path("value-work", views.matrix, name="matrix"),
    path("<int:pk>/", views.debrief_detail, name="debrief-detail"),
    path("<int:pk>/attendance", views.attendance_update, name="attendance-update"),
    path("<int:pk>/cases/<int:case_pk>", views.entry_update, name="entry-update"),
    path("<int:pk>/activities/new", views.activity_create, name="activity-create"),
    path("<int:pk>/activities/<int:activity_pk>/stroke", views.stroke_create,
         name="stroke-create"),
    path("<int:pk>/issues", views.issue_create, name="issue-create"),
    path("<int:pk>/welfare", views.welfare_update, name="welfare-update"),
    path("<int:pk>/advice/<int:purchase_pk>", views.advice_record, name="advice-record"),
    path("<int:pk>/close", views.debrief_close, name="debrief-close"),
]
