"""Personal (non-account) pages of account_settings, e.g. /settings/notifications/."""

from django.urls import path

from account_settings import views

urlpatterns = [
    path(
        "settings/notifications/",
        views.NotificationSettingsView.as_view(),
        name="notification_settings",
    ),
]
