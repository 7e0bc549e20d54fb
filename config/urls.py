from django.contrib import admin
from django.urls import include, path, re_path

from api.errors import unknown_route
from security.views import GuardedRemoveWebAuthnView

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # allauth asks the MFA adapter before removing an authenticator app, not a security key:
    # this guard keeps the last key while an account of the person requires 2FA.
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        GuardedRemoveWebAuthnView.as_view(),
        name="mfa_remove_webauthn",
    ),
    # Text-message 2FA (sms/): its login stage, re-authentication and settings.
    path("accounts/2fa/sms/", include("sms.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("people.urls_account")),
    path("a/<slug:slug>/", include("people.urls")),
    path("a/<slug:slug>/", include("audit.urls")),
    path("a/<slug:slug>/billing/", include("billing.urls")),
    path("a/<slug:slug>/settings/provisioning/", include("scim.urls_account")),
    path("a/<slug:slug>/", include("joining.urls_account")),
    path("a/<slug:slug>/ownership-transfer/", include("transfers.urls")),
    path("a/<slug:slug>/settings/", include("account_settings.urls")),
    path("a/<slug:slug>/api-keys/", include("apikeys.urls")),
    path("a/<slug:slug>/security/", include("security.urls")),
    path("api/v1/", include("api.urls")),
    # Any other path under /api/ (another version, a trailing slash, a typo): JSON 404.
    re_path(r"^api/", unknown_route),
    path("scim/v2/", include("scim.urls")),
    path("", include("account_settings.personal_urls")),
    path("", include("invitations.urls")),
    path("", include("joining.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
