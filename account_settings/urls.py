app_name = "account_settings"
urlpatterns = []
