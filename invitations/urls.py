from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("a/<slug:slug>/users/invite/", views.InviteView.as_view(), name="invite"),
    path("a/<slug:slug>/users/invite/csv/", views.CsvPreviewView.as_view(), name="csv_preview"),
    path(
        "a/<slug:slug>/users/invite/csv/confirm/",
        views.CsvConfirmView.as_view(),
        name="csv_confirm",
    ),
    path(
        "a/<slug:slug>/users/invitations/<int:invitation_id>/resend/",
        views.ResendView.as_view(),
        name="resend",
    ),
    path(
        "a/<slug:slug>/users/invitations/<int:invitation_id>/cancel/",
        views.CancelView.as_view(),
        name="cancel",
    ),
    # Order matters: "accept" is not a token.
    path("invitations/accept/", views.AcceptView.as_view(), name="accept"),
    path("invitations/<str:token>/", views.TokenView.as_view(), name="token"),
]
