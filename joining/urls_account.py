from django.urls import path

from joining import views_account as views

app_name = "join_requests"

urlpatterns = [
    path("settings/join/", views.JoinSettingsView.as_view(), name="settings"),
    path("settings/join/regenerate/", views.RegenerateLinkView.as_view(), name="regenerate"),
    path(
        "users/join-requests/<int:request_id>/approve/",
        views.ApproveView.as_view(),
        name="approve",
    ),
    path("users/join-requests/<int:request_id>/deny/", views.DenyView.as_view(), name="deny"),
]
