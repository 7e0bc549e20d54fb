"""The project's URLs with security's guarded security-key removal in front of allauth's
(what config/urls.py should do; see security.views.GuardedRemoveWebAuthnView)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from security.views import GuardedRemoveWebAuthnView

urlpatterns = [
    path(
        "accounts/2fa/webauthn/keys/<int:pk>/remove/",
        GuardedRemoveWebAuthnView.as_view(),
        name="mfa_remove_webauthn",
    ),
    *project_urlpatterns,
]
