from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render


def bad_request(request, exception=None):
    """A request Django refused before any view could (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE: 413; too many fields, a broken body: 400)."""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "400.html", {"too_large": True}, status=413)
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
