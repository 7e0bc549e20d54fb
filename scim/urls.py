"""/scim/v2/: the account is the token's, so no URL names one."""

from django.urls import path, re_path

from scim import views_discovery, views_groups, views_users
from scim.protocol import not_found

app_name = "scim"

urlpatterns = [
    path(
        "ServiceProviderConfig",
        views_discovery.service_provider_config,
        name="service_provider_config",
    ),
    path("ResourceTypes", views_discovery.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", views_discovery.resource_types, name="resource_type"),
    path("Schemas", views_discovery.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", views_discovery.schemas, name="schema"),
    path("Users", views_users.users, name="users"),
    path("Users/.search", views_users.search, name="users_search"),
    path("Users/<str:user_id>", views_users.user, name="user"),
    path("Groups", views_groups.groups, name="groups"),
    path("Groups/<str:group_id>", views_groups.group, name="group"),
    # Anything else under /scim/v2/ (a typo, a trailing slash): a SCIM 404, not an HTML page.
    re_path(r"^.*$", not_found, name="unknown"),
]
