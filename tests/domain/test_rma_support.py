"""Shared helpers for the RMA tests: a calendar, times, and a line driven to any state.

Deadlines are checked against the real `shouhou.domain.calendar.china_calendar()`. `WeekCalendar`
is a small independent stand-in (weekly pattern plus the State Council's 2025–2026 holidays and
make-up days, hand-copied): it exercises the `WorkCalendar` protocol with another weekly pattern,
and `test_rma.py` checks that it agrees with the real calendar through Spring Festival 2026.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from shouhou.domain import rma
from shouhou.domain.rma import Line, Step, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


# Official holidays (放假) and make-up working days (调休上班) for 2025 and 2026.
HOLIDAYS: frozenset[date] = frozenset(
    {date(2025, 1, 1)}
    | _days(date(2025, 1, 28), date(2025, 2, 4))
    | _days(date(2025, 4, 4), date(2025, 4, 6))
    | _days(date(2025, 5, 1), date(2025, 5, 5))
    | _days(date(2025, 5, 31), date(2025, 6, 2))
    | _days(date(2025, 10, 1), date(2025, 10, 8))
    | _days(date(2026, 1, 1), date(2026, 1, 3))
    | _days(date(2026, 2, 15), date(2026, 2, 23))
)
MAKE_UP_DAYS: frozenset[date] = frozenset(
    {
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
    }
)


class WeekCalendar:
    """Working days by DESIGN §2: make-up days, else not a holiday and Mon–Sat."""

    def __init__(
        self,
        *,
        holidays: frozenset[date] = HOLIDAYS,
        make_up_days: frozenset[date] = MAKE_UP_DAYS,
        weekdays: frozenset[int] = frozenset(range(6)),
        tz: tzinfo = SHANGHAI,
        closes_at: time = time(18, 30),
    ) -> None:
        self.holidays = holidays
        self.make_up_days = make_up_days
        self.weekdays = weekdays
        self._tz = tz
        self.closes_at = closes_at

    @property
    def tz(self) -> tzinfo:
        return self._tz

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        return day not in self.holidays and day.weekday() in self.weekdays

    def add_working_days(self, day: date, n: int) -> date:
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def due(self, start: datetime, n: int) -> datetime:
        local_day = start.astimezone(self._tz).date()
        return datetime.combine(self.add_working_days(local_day, n), self.closes_at, tzinfo=self._tz)


def calendar() -> WorkCalendar:
    """The real calendar when it has landed, else the stand-in."""
    try:
        from shouhou.domain.calendar import china_calendar
    except ImportError:
        return WeekCalendar()
    return china_calendar()  # type: ignore[no-any-return]


CAL = calendar()


def t(text: str) -> datetime:
    """A Shanghai time from 'YYYY-MM-DD HH:MM' (or a date alone, 00:00)."""
    if " " not in text:
        text += " 00:00"
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def end_of_business(day: str) -> datetime:
    return t(f"{day} 18:30")


FIELDS: dict[str, dict[str, object]] = {
    "approve_advance": {"reason": "internet cafe cannot open"},
    "request_info": {"message": "topology diagram missing"},
    "reject": {"reason": "not our product"},
    "cancel": {"reason": "fixed on site"},
    "ship_to_centre": {"carrier": "SF", "tracking": "SF100"},
    "receive": {"condition": "box intact"},
    "send_quote": {"items": [{"text": "mainboard", "amount": "850.00"}]},
    "ship_replacement": {"carrier": "SF", "tracking": "SF200", "replacement_serial": "SN-NEW"},
    "ship_repaired": {"carrier": "SF", "tracking": "SF300"},
    "ship_back": {"carrier": "SF", "tracking": "SF400"},
    "complete_repair": {"parts": ["PSU"], "result": "replaced power supply"},
    "charge": {"amount": "300", "reason": "liquid damage"},
}


class Driver:
    """Walks one line through events, an hour apart, checking each step as it goes."""

    def __init__(
        self,
        coverage: str = "replacement",
        *,
        start: str = "2025-09-29 10:00",
        policy: rma.RmaPolicy = rma.DEFAULT_POLICY,
    ) -> None:
        self.clock = t(start)
        self.policy = policy
        self.step: Step = rma.submit(
            coverage=coverage, at=self.clock, now=self.clock, calendar=CAL, policy=policy
        )
        self.steps: list[Step] = [self.step]

    @property
    def line(self) -> Line:
        return self.step.line

    def do(self, event: str, *, at: str | None = None, **fields: object) -> Step:
        self.clock = t(at) if at else self.clock + timedelta(hours=1)
        merged = {**FIELDS.get(event, {}), **fields}
        self.step = rma.apply(
            self.line, event, at=self.clock, now=self.clock, calendar=CAL, policy=self.policy, **merged
        )
        self.steps.append(self.step)
        return self.step

    def run(self, *events: str) -> Step:
        for event in events:
            self.do(event)
        return self.step
