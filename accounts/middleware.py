import zoneinfo

from django.utils import timezone


class TimezoneMiddleware:
    """Every date the site shows is rendered in the signed-in person's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz_name = (
            getattr(request.user, "time_zone", None) if request.user.is_authenticated else None
        )
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.deactivate()
        return self.get_response(request)


class ThrottledUserSessionsMiddleware:
    """allauth's usersessions tracking (IP, device, last seen), written at most once a minute
    per session instead of on every request (it costs 3 queries and 2 savepoints a time)."""

    INTERVAL_SECONDS = 60
    SESSION_KEY = "roster_session_tracked_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from allauth.usersessions.models import UserSession

        session = getattr(request, "session", None)
        if (
            session is not None
            and session.session_key
            and request.user.is_authenticated
            and time.time() - session.get(self.SESSION_KEY, 0) > self.INTERVAL_SECONDS
        ):
            UserSession.objects.create_from_request(request)
            session[self.SESSION_KEY] = time.time()
        return self.get_response(request)
