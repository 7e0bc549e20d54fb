from api.api import api

# The namespace must equal the API's urls_namespace: ninja reverses "api:api-root" to find
# the paths it writes into the OpenAPI document.
app_name = "api"
urlpatterns = api.urls[0]
