from django.apps import AppConfig


class AccountSettingsConfig(AppConfig):
    name = "account_settings"
    verbose_name = "Account settings"
