from django.urls import path

from scim import views_settings

app_name = "provisioning"

urlpatterns = [
    path("", views_settings.ProvisioningView.as_view(), name="index"),
    path("tokens/new/", views_settings.TokenCreateView.as_view(), name="token_create"),
    path(
        "tokens/<int:token_id>/secret/",
        views_settings.TokenSecretView.as_view(),
        name="token_secret",
    ),
    path(
        "tokens/<int:token_id>/revoke/",
        views_settings.TokenRevokeView.as_view(),
        name="token_revoke",
    ),
]
