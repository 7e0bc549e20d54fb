"""The JSON API, /api/v1/.

django-ninja: the request and response types are Python type hints (pydantic), and the
OpenAPI document at /api/v1/openapi.json is generated from those same declarations, so the
document cannot drift from the code; it is also far smaller than Django REST framework for
seven endpoints over existing services. Each endpoint parses the request, calls the same
service the web pages call, and shapes the answer; no rule is repeated here.
"""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import errors
from api.auth import ApiKeyAuth
from api.invitations import router as invitations_router
from api.members import router as members_router


class LocalSwagger(Swagger):
    """Swagger UI from our own static files (static/vendor/swagger-ui), started by a static
    script, so the page loads nothing from a CDN and runs no inline script under the CSP.

    ninja's own template is used only when "ninja" is an installed app and otherwise falls back
    to a CDN; this renders ours either way.
    """

    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        openapi_url = self.get_openapi_url(api, kwargs)
        # No validator badge: it would load an image from validator.swagger.io. No deep links:
        # they put a link inside each operation's toggle button (axe nested-interactive).
        swagger_settings = {
            **self.settings,
            "url": openapi_url,
            "validatorUrl": None,
            "deepLinking": False,
        }
        return render(
            request,
            self.template,
            {"api": api, "openapi_url": openapi_url, "swagger_settings": swagger_settings},
        )


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
    docs=LocalSwagger(),
    docs_url="/docs",
)
errors.install(api)
api.add_router("", members_router)
api.add_router("", invitations_router)
