from django.urls import path

from account_settings import views

app_name = "account_settings"

urlpatterns = [
    path("", views.SettingsIndexView.as_view(), name="index"),
    path("two-factor/", views.TwoFactorRequirementView.as_view(), name="two_factor"),
    path("billing-access/", views.BillingAccessView.as_view(), name="billing_access"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("close/", views.CloseAccountView.as_view(), name="close"),
    path("reopen/", views.ReopenAccountView.as_view(), name="reopen"),
]
