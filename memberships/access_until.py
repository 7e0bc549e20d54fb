""" "Access until": the date a person picks, the moment it means, and its limits.

A date is picked in the picker's time zone (the active one on a page) and means the end of
that day there, stored as an aware datetime. It may be today, and at most one year ahead
(the same date next year; 28 February for 29 February). The invite form, the CSV invite, the
member's edit page and the services all check through here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

END_OF_DAY = datetime.time(23, 59, 59)


def one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def end_of_day(day: datetime.date, zone=None) -> datetime.datetime:
    """The last second of `day` in `zone` (the active time zone by default), aware."""
    return datetime.datetime.combine(
        day, END_OF_DAY, tzinfo=zone or timezone.get_current_timezone()
    )


def check_date(day: datetime.date, *, zone=None, now=None) -> datetime.datetime:
    """`day` as the moment access ends, or ValidationError (a message for the field)."""
    zone = zone or timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    if day < today:
        raise ValidationError("Choose today or a later date.", code="past")
    latest = one_year_after(today)
    if day > latest:
        raise ValidationError(
            f"Choose a date at most one year ahead (by {date_format(latest, 'j M Y')}).",
            code="too_far",
        )
    return end_of_day(day, zone)


def check_moment(moment: datetime.datetime, *, now=None) -> None:
    """For services: `moment` (aware) is in the future and within a year and a day of now
    (the day's end, in any time zone, is at most that far)."""
    now = now or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("access_until must be an aware datetime")
    if moment <= now:
        raise ValidationError("Choose a moment in the future.", code="past")
    if moment > now + datetime.timedelta(days=367):
        raise ValidationError("Choose a date at most one year ahead.", code="too_far")


def shown(moment: datetime.datetime | None, zone=None) -> str:
    """The date access ends, as people read it in `zone` (the active one by default)."""
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment, zone or timezone.get_current_timezone()), "j M Y")
