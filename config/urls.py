from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from learning import views as learning_views

admin.site.login = account_views.admin_sign_in
admin.site.site_header = admin.site.site_title = "Manage the service"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("cases/", include("caseload.urls")),
    path("purchases/", include("purchases.urls")),
    path("issues/", include("issues.urls")),
    path("debriefs/", include("debriefs.urls")),
    path("learning/", learning_views.learning, name="learning"),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"
