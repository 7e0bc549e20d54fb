"""The production URLconf plus bench-only pages.

`bench/hello/`: a minimal logged-in view, the baseline. `<page>/without/<mechanism>/`: the
page at `<page>/` served by its own view without one hand-made mechanism (bench/variants.py),
e.g. /a/acme/users/without/counts/.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path, re_path

from bench import variants
from config.urls import urlpatterns as production_urlpatterns


@login_required
def hello(request):
    return HttpResponse(f"hello {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    re_path(
        r"^(?P<page>.+/)without/(?P<mechanism>[a-z_]+)/$", variants.without, name="bench_without"
    ),
    *production_urlpatterns,
]
