from django.urls import path

from people import views
from people.views_access import AccessUntilView
from people.views_roles import RolesView

app_name = "people"

urlpatterns = [
    path("roles/", RolesView.as_view(), name="roles"),
    path("users/", views.UsersView.as_view(), name="users"),
    path("users/export/", views.MembersExportView.as_view(), name="users_export"),
    path("users/revoke/", views.BulkRevokeView.as_view(), name="bulk_revoke"),
    path("users/<int:member_id>/level/", views.EditLevelView.as_view(), name="edit_level"),
    path("users/<int:member_id>/access/", AccessUntilView.as_view(), name="access_until"),
    path("users/<int:member_id>/suspend/", views.SuspendView.as_view(), name="suspend"),
    path("users/<int:member_id>/reactivate/", views.ReactivateView.as_view(), name="reactivate"),
    path("users/<int:member_id>/revoke/", views.RevokeView.as_view(), name="revoke"),
    path("leave/", views.LeaveView.as_view(), name="leave"),
    path("settings/transfer/", views.TransferView.as_view(), name="transfer"),
]
