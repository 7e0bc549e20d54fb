from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.ReviewTransferView.as_view(), name="review"),
    path("decline/", views.DeclineTransferView.as_view(), name="decline"),
    path("cancel/", views.CancelTransferView.as_view(), name="cancel"),
]
