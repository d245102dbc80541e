"""The one source of local time: the working-day calendar's time zone.

"Today", a year's boundaries and the times people read are the calendar's (its settings can
move the company to another zone), never Django's TIME_ZONE nor a naive ``datetime.now()``.
Ruff's DTZ rules and a ban on ``timezone.localdate``/``localtime`` keep every caller here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from shouhou.workdays.selectors import calendar_tz


def now() -> datetime:
    """Now, in the calendar's time zone."""
    return timezone.now().astimezone(calendar_tz())


def today() -> date:
    """The calendar's date today."""
    return now().date()


def localtime(value: datetime) -> datetime:
    """VALUE (aware) in the calendar's time zone."""
    if timezone.is_naive(value):
        raise ValueError("localtime() needs an aware datetime")
    return value.astimezone(calendar_tz())


class CalendarTimeZoneMiddleware:
    """Pages and templates show times in the calendar's zone (Django's ``|date`` follows it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(calendar_tz())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
