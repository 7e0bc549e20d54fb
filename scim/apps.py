from django.apps import AppConfig


class ScimConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scim"
    verbose_name = "SCIM provisioning"

    def ready(self):
        import email_validator

        # Roster's logins follow Django's EmailValidator, which accepts special-use domain
        # names (the demo's acme.test, a company's internal .local). scim2-models reads
        # `emails` with email-validator, which refuses them: a login Roster holds must still
        # be a valid SCIM email. Nothing else in Roster uses email-validator.
        email_validator.SPECIAL_USE_DOMAIN_NAMES = []
