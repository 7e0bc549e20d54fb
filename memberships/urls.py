from django.urls import path

from memberships.views_roles import RolesView

app_name = "memberships"

urlpatterns = [
    path("roles/", RolesView.as_view(), name="roles"),
]
