from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Admin > Users and the account console's pages: the top layer, combining memberships,
    invitations and API keys (revoking a member deletes their keys and cancels their
    invitations)."""

    name = "people"
    verbose_name = "People"
