from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("two-step", views.mfa_verify, name="mfa-verify"),
    path("two-step/set-up", views.mfa_setup, name="mfa-setup"),
    path("access-log", views.access_log, name="access-log"),
]
