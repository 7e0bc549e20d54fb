"""Reads of API keys shared by the API keys page and the API authentication."""

from apikeys.models import ApiKey


def account_keys(account):
    """Every key of `account` with its creator, newest first."""
    return ApiKey.objects.filter(account=account).select_related("created_by")


def key_by_prefix(prefix: str) -> ApiKey | None:
    """The key row for an incoming request, with what the checks need in one query."""
    return ApiKey.objects.select_related("account", "created_by").filter(prefix=prefix).first()
