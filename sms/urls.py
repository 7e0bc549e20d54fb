"""Under /accounts/2fa/sms/, beside allauth's own 2FA pages (personal, not account doors)."""

from django.urls import path

from sms import views

urlpatterns = [
    path("", views.TwoFactorView.as_view(), name="sms_two_factor"),
    path("verify/", views.VerifyNumberView.as_view(), name="sms_verify_number"),
    path("authenticate/", views.AuthenticateView.as_view(), name="sms_authenticate"),
    path("use/", views.UseTextMessageView.as_view(), name="sms_use_text_message"),
    path("reauthenticate/", views.ReauthenticateView.as_view(), name="sms_reauthenticate"),
]
