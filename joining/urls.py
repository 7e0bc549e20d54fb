from django.urls import path

from joining import views

app_name = "joining"

urlpatterns = [
    # Order matters: "join/" itself is not a token.
    path("join/", views.JoinView.as_view(), name="join"),
    path("join/<str:token>/", views.JoinTokenView.as_view(), name="token"),
]
