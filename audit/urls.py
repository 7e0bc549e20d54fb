from django.urls import path

from audit.views import ActivityExportView, ActivityView

app_name = "audit"
urlpatterns = [
    path("activity/", ActivityView.as_view(), name="activity"),
    path("activity/export.csv", ActivityExportView.as_view(), name="activity_export"),
]
