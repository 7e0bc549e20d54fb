"""The production URLconf plus `bench/hello/`: a minimal logged-in view, the baseline."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as production_urlpatterns


@login_required
def hello(request):
    return HttpResponse(f"hello {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello, name="bench_hello"), *production_urlpatterns]
