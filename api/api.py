"""The JSON API, /api/v1/.

django-ninja: the request and response types are Python type hints (pydantic), and the
OpenAPI document at /api/v1/openapi.json is generated from those same declarations, so the
document cannot drift from the code; it is also far smaller than Django REST framework for
seven endpoints over existing services. Each endpoint parses the request, calls the same
service the web pages call, and shapes the answer; no rule is repeated here.
"""

from ninja import NinjaAPI

from api import errors
from api.auth import ApiKeyAuth
from api.invitations import router as invitations_router
from api.members import router as members_router

api = NinjaAPI(
    title="Roster API",
    version="1",
    description=(
        "Manage the members and invitations of one Roster account. Authenticate with an "
        "API key in `Authorization: Bearer <key>`; the key acts with its creator's current "
        "level. Errors are JSON `{code, message}`."
    ),
    auth=ApiKeyAuth(),
    urls_namespace="api",
    docs_url=None,  # Swagger UI loads from a CDN, which the CSP forbids; the JSON is enough
)
errors.install(api)
api.add_router("", members_router)
api.add_router("", invitations_router)
