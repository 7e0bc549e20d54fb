from ninja.security import HttpBearer

from config.request_context import current_ip
from security.api_auth import ApiAuthError, authenticate_key, refuse_key_in_query_string


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer rk_<prefix>_<secret>`; nothing else is accepted."""

    def __call__(self, request):
        refuse_key_in_query_string(request.GET)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise ApiAuthError(
                "missing_key", "Send an API key in the header `Authorization: Bearer <key>`."
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        return authenticate_key(token, client_ip=current_ip())
