app_name = "join_requests"

urlpatterns = []
