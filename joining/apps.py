from django.apps import AppConfig


class JoiningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "joining"
    verbose_name = "Requests to join"
