"""Personal (non-account) pages of account_settings, e.g. /settings/notifications/."""

urlpatterns = []
