from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.ApiKeyListView.as_view(), name="list"),
    path("new/", views.ApiKeyCreateView.as_view(), name="create"),
    path("<int:key_id>/secret/", views.ApiKeySecretView.as_view(), name="secret"),
    path("<int:key_id>/regenerate/", views.ApiKeyRegenerateView.as_view(), name="regenerate"),
    path("<int:key_id>/delete/", views.ApiKeyDeleteView.as_view(), name="delete"),
]
