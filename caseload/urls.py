from django.urls import path

from caseload.views import cases, holds, imports, records, timeline

app_name = "caseload"

urlpatterns = [
    path("", cases.case_list, name="case-list"),
    path("mine", cases.my_cases, name="case-mine"),
    path("search", cases.case_search, name="case-search"),
    path("new", cases.case_create, name="case-create"),
    path("import", imports.case_import, name="case-import"),
    path("<int:pk>/", cases.case_detail, name="case-detail"),
    path("<int:pk>/edit", cases.case_edit, name="case-edit"),
    path("<int:pk>/close", cases.case_close, name="case-close"),
    path("<int:pk>/reopen", cases.case_reopen, name="case-reopen"),
    path("<int:pk>/access-log", cases.case_access_log, name="case-access-log"),
    path("<int:pk>/what-matters", records.what_matters_edit, name="what-matters-edit"),
    path("<int:pk>/people/new", records.person_create, name="person-create"),
    path("people/<int:pk>/edit", records.person_edit, name="person-edit"),
    path("<int:pk>/contacts/new", timeline.contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit", timeline.contact_edit, name="contact-edit"),
    path("<int:pk>/debts/new", records.debt_create, name="debt-create"),
    path("debts/<int:pk>/edit", records.debt_edit, name="debt-edit"),
    path("<int:pk>/specialists/new", records.pull_create, name="pull-create"),
    path("<int:pk>/decisions/new", records.decision_create, name="decision-create"),
    path("<int:pk>/outcomes/new", records.outcome_create, name="outcome-create"),
    path("<int:pk>/holds/new", holds.hold_request, name="hold-request"),
    path("holds/", holds.hold_list, name="hold-list"),
    path("holds/<int:pk>/decide", holds.hold_decide, name="hold-decide"),
    path("holds/<int:pk>/end", holds.hold_end, name="hold-end"),
]
