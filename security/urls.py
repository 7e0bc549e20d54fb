from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path(
        "members/<int:member_id>/reset-2fa/",
        views.ResetTwoFactorView.as_view(),
        name="reset_2fa",
    ),
]
