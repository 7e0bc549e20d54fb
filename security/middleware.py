from django.utils.cache import add_never_cache_headers

# allauth pages that show a secret or carry a token in their URL. Roster's own pages with
# secrets (a new API key) mark themselves with never_cache.
SECRET_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reset_password_from_key",
        "account_confirm_email",
    }
)


class NoStoreOnSecretPagesMiddleware:
    """`Cache-Control: no-store` on pages showing secrets, so no browser or proxy cache keeps
    recovery codes or a TOTP secret after the person has moved on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in SECRET_URL_NAMES:
            add_never_cache_headers(response)
        return response
