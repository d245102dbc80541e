"""Working days and deadlines (DESIGN.md §2 "Working days", §6).

A date is a working day when the official schedule makes it a make-up working day (调休上班), or
when it is not an official holiday and its weekday is in the weekly pattern (default Mon–Sat).
Company days off/on override both. "Within N working days of event E" ends at the close of
business (default 18:30 Asia/Shanghai) of the N-th working day strictly after E's local date.

Deadlines are computed for every state change and every list of overdue lines, so the calendar
precomputes the ordinals of its working days once and answers with ``bisect`` (O(log n)).

Plain Python: no Django import, so the domain core works as a library without settings.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TextIO
from zoneinfo import ZoneInfo

from shouhou.domain.errors import Invalid

__all__ = [
    "DayKind",
    "DayRow",
    "DueInfo",
    "OfficialYear",
    "WorkCalendar",
    "china_calendar",
    "load_day_rows",
    "official_years_from_rows",
    "parse_official_schedules",
]

MON_SAT: frozenset[int] = frozenset(range(6))
DEFAULT_OPENS = time(10, 15)
DEFAULT_CLOSES = time(18, 30)
DEFAULT_TZ = "Asia/Shanghai"
SHIPPED_DATA = "cn_official_schedules.toml"

# Deadlines in the policy are 1–10 WD; the cap keeps a typo (1e9) from building a huge table.
MAX_WORKING_DAYS = 100_000

# The table of working-day ordinals covers these years up front; it grows on demand beyond them.
TABLE_FIRST_YEAR = 1990
TABLE_LAST_YEAR = 2100

# New Year's Day periods can start in late December of the year before (2018-12-29 was a
# make-up day of the 2019 notice), so those days stay provisional until the next notice exists.
LATE_DECEMBER_DAY = 25


class DayKind(StrEnum):
    """Why a date is (not) a working day; the string values are used by the CLI and the API."""

    WORKING = "working"
    REST = "rest"
    HOLIDAY = "holiday"
    MAKEUP = "makeup"
    COMPANY_OFF = "company_off"
    COMPANY_ON = "company_on"


WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.MAKEUP, DayKind.COMPANY_ON})


@dataclass(frozen=True)
class OfficialYear:
    """One State Council schedule: the holidays and make-up days of one notice year.

    ``year`` is the year the notice is about; its dates may start in December of the year before.
    """

    year: int
    holidays: Mapping[date, str]
    makeup: Mapping[date, str] = field(default_factory=dict)
    notice: str = ""
    number: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(sorted(self.holidays.items()))))
        object.__setattr__(self, "makeup", MappingProxyType(dict(sorted(self.makeup.items()))))
        both = sorted(set(self.holidays) & set(self.makeup))
        if both:
            raise Invalid(
                f"{self.year}: {', '.join(map(str, both))} cannot be both a holiday and a make-up day",
                dates=[d.isoformat() for d in both],
            )
        for day in (*self.holidays, *self.makeup):
            in_range = day.year == self.year or (day.year == self.year - 1 and day.month == 12)
            if not in_range:
                raise Invalid(
                    f"{day.isoformat()} is outside the {self.year} schedule "
                    f"(its dates lie in {self.year} or in December {self.year - 1})",
                    date=day.isoformat(),
                )


@dataclass(frozen=True)
class DueInfo:
    """A deadline and whether it rests on a year without an official schedule yet."""

    due: datetime
    provisional: bool


@dataclass(frozen=True)
class DayRow:
    """One imported row: a date, what it is, and its name (e.g. 春节, 公司年会)."""

    date: date
    kind: DayKind
    name: str = ""


class WorkCalendar:
    """An immutable working-day calendar; build variants with the ``with_*`` methods.

    Deadlines are plain functions of (calendar, event, N); two calendars with the same
    ``version`` give the same answers, so callers may cache results per version.
    """

    def __init__(
        self,
        *,
        weekdays: Iterable[int] = MON_SAT,
        official: Iterable[OfficialYear] = (),
        company_off: Mapping[date, str] | Iterable[date] = (),
        company_on: Mapping[date, str] | Iterable[date] = (),
        opens: time = DEFAULT_OPENS,
        closes: time = DEFAULT_CLOSES,
        tz: str | ZoneInfo = DEFAULT_TZ,
    ) -> None:
        self._weekdays = frozenset(weekdays)
        if not self._weekdays or not self._weekdays <= set(range(7)):
            raise Invalid("weekdays must be a non-empty set of 0 (Monday) … 6 (Sunday)")
        if not opens < closes:
            raise Invalid(f"business hours must open before they close ({opens}–{closes})")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise Invalid("business hours are local times; give them without a time zone")
        self._opens = opens
        self._closes = closes
        self._tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)

        self._official: dict[int, OfficialYear] = {}
        self._holidays: dict[date, str] = {}
        self._makeup: dict[date, str] = {}
        for schedule in sorted(official, key=lambda s: s.year):
            if schedule.year in self._official:
                raise Invalid(f"two schedules for {schedule.year}", year=schedule.year)
            self._official[schedule.year] = schedule
            for day in (*schedule.holidays, *schedule.makeup):
                if day in self._holidays or day in self._makeup:
                    raise Invalid(
                        f"{day.isoformat()} appears in two official schedules", date=day.isoformat()
                    )
            self._holidays.update(schedule.holidays)
            self._makeup.update(schedule.makeup)

        self._company_off = _named_days(company_off)
        self._company_on = _named_days(company_on)
        both = sorted(set(self._company_off) & set(self._company_on))
        if both:
            raise Invalid(
                f"{', '.join(map(str, both))}: a company day cannot be both off and on",
                dates=[d.isoformat() for d in both],
            )
        self._table_lo = date(TABLE_FIRST_YEAR, 1, 1).toordinal()
        self._table_hi = date(TABLE_LAST_YEAR + 1, 1, 1).toordinal()

    # ----------------------------------------------------------------- description
    @property
    def weekdays(self) -> frozenset[int]:
        return self._weekdays

    @property
    def opens(self) -> time:
        return self._opens

    @property
    def closes(self) -> time:
        return self._closes

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def official_years(self) -> tuple[int, ...]:
        """The notice years with official data, ascending."""
        return tuple(self._official)

    def official_year(self, year: int) -> OfficialYear | None:
        return self._official.get(year)

    @property
    def company_off(self) -> Mapping[date, str]:
        return MappingProxyType(self._company_off)

    @property
    def company_on(self) -> Mapping[date, str]:
        return MappingProxyType(self._company_on)

    @functools.cached_property
    def version(self) -> str:
        """A fingerprint of everything that changes an answer: cache deadlines per version."""
        digest = hashlib.sha256()
        parts: list[str] = [
            ",".join(map(str, sorted(self._weekdays))),
            self._opens.isoformat(),
            self._closes.isoformat(),
            self._tz.key,
        ]
        for year, schedule in self._official.items():
            parts.append(f"Y{year}")
            parts.extend(f"H{d.isoformat()}" for d in schedule.holidays)
            parts.extend(f"M{d.isoformat()}" for d in schedule.makeup)
        parts.extend(f"O{d.isoformat()}" for d in sorted(self._company_off))
        parts.extend(f"N{d.isoformat()}" for d in sorted(self._company_on))
        digest.update("\n".join(parts).encode())
        return digest.hexdigest()[:16]

    def __repr__(self) -> str:
        years = self.official_years
        span = f"{years[0]}–{years[-1]}" if years else "none"
        return f"<WorkCalendar official={span} version={self.version}>"

    # ----------------------------------------------------------------- days
    def kind(self, day: date) -> DayKind:
        """What ``day`` is; company days win over official ones, official over the pattern."""
        if day in self._company_on:
            return DayKind.COMPANY_ON
        if day in self._company_off:
            return DayKind.COMPANY_OFF
        if day in self._makeup:
            return DayKind.MAKEUP
        if day in self._holidays:
            return DayKind.HOLIDAY
        return DayKind.WORKING if day.weekday() in self._weekdays else DayKind.REST

    def official_kind(self, day: date) -> DayKind:
        """What ``day`` is by the official schedules and the weekly pattern alone (company days
        ignored): the day a company day off/on would override."""
        if day in self._makeup:
            return DayKind.MAKEUP
        if day in self._holidays:
            return DayKind.HOLIDAY
        return DayKind.WORKING if day.weekday() in self._weekdays else DayKind.REST

    def name(self, day: date) -> str:
        """The holiday / make-up / company name of ``day``, or "" for an ordinary day."""
        for names in (self._company_on, self._company_off, self._makeup, self._holidays):
            if day in names:
                return names[day]
        return ""

    def is_working_day(self, day: date) -> bool:
        return self.kind(day) in WORKING_KINDS

    # ----------------------------------------------------------------- the table
    @functools.cached_property
    def _ordinals(self) -> list[int]:
        """Ordinals of the working days in the table's range, ascending (built once)."""
        return self._build_ordinals(self._table_lo, self._table_hi)

    def _build_ordinals(self, lo: int, hi: int) -> list[int]:
        pattern = self._weekdays
        # date.weekday() of ordinal o is (o + 6) % 7: ordinal 1 (0001-01-01) is a Monday.
        ordinals = [o for o in range(lo, hi) if (o + 6) % 7 in pattern]
        special = {**{d: False for d in self._holidays}, **{d: True for d in self._makeup}}
        special.update({d: False for d in self._company_off})
        special.update({d: True for d in self._company_on})
        if not special:
            return ordinals
        working = set(ordinals)
        for day, is_working in special.items():
            o = day.toordinal()
            if lo <= o < hi:
                (working.add if is_working else working.discard)(o)
        return sorted(working)

    def _grow(self, ordinal: int, n: int) -> list[int]:
        """Extend the table to cover ``ordinal`` and N working days after it (rarely needed)."""
        lo, hi = self._table_lo, self._table_hi
        span = (n // len(self._weekdays) + 2) * 7 + 366
        lo = min(lo, ordinal - 366)
        hi = max(hi, ordinal + span)
        lo = max(lo, 1)
        hi = min(hi, date.max.toordinal() + 1)
        self._table_lo, self._table_hi = lo, hi
        table = self._build_ordinals(lo, hi)
        self.__dict__["_ordinals"] = table  # same answers, wider range: still immutable in effect
        return table

    # ----------------------------------------------------------------- working-day arithmetic
    @functools.cached_property
    def _fast(self) -> tuple[dict[date, int], list[date]]:
        """date -> index of the first working day after it, and the working days as dates.

        A dict lookup is cheaper than toordinal + bisect + fromordinal in CPython, and deadline
        lookups are hot (every list of overdue lines); ~40k entries for the table's years.
        """
        table = self._ordinals
        days = [date.fromordinal(o) for o in table]
        after: dict[date, int] = {}
        i = 0
        for o in range(self._table_lo, self._table_hi):
            while i < len(table) and table[i] <= o:
                i += 1
            after[date.fromordinal(o)] = i
        return after, days

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day``.

        n=0 means ``day`` itself when it is a working day, else the next working day (the day
        work on something received on ``day`` can start). Raises ``Invalid`` for n < 0.
        """
        if type(n) is int and 0 < n <= MAX_WORKING_DAYS:
            after, days = self._fast
            i = after.get(day)
            if i is not None and i + n <= len(days):
                return days[i + n - 1]
        return self._add_working_days_bisect(day, n)

    def _add_working_days_bisect(self, day: date, n: int) -> date:
        """The general path: any n, any date (the table grows beyond 1990–2100 on demand)."""
        table = self._ordinals
        if type(n) is not int or not 0 <= n <= MAX_WORKING_DAYS:
            raise Invalid(_bad_n(n), working_days=repr(n))
        o = day.toordinal()
        i = bisect_right(table, o) + n - 1 if n else bisect_left(table, o)
        if i >= len(table) or o < self._table_lo:
            table = self._grow(o, n)
            i = bisect_right(table, o) + n - 1 if n else bisect_left(table, o)
            if i >= len(table):  # the answer lies after date.max: there is no such day
                raise Invalid(f"{n} working days after {day.isoformat()} is later than {date.max.isoformat()}",
                              reason="date_out_of_range", working_days=n)
        return date.fromordinal(table[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (negative when end is before start).

        This is the count a deadline uses: ``working_days_between(e, add_working_days(e, n)) == n``.
        """
        a, b = start.toordinal(), end.toordinal()
        if min(a, b) < self._table_lo or max(a, b) >= self._table_hi:
            self._grow(min(a, b), 0)
            self._grow(max(a, b), 0)
        table = self._ordinals
        return bisect_right(table, b) - bisect_right(table, a)

    def working_days_in(self, first: date, last: date) -> list[date]:
        """The working days from ``first`` to ``last`` inclusive (for month views)."""
        if last < first:
            return []
        self.working_days_between(first, last)  # grows the table if needed
        table = self._ordinals
        lo, hi = bisect_left(table, first.toordinal()), bisect_right(table, last.toordinal())
        return [date.fromordinal(o) for o in table[lo:hi]]

    # ----------------------------------------------------------------- deadlines and hours
    def local(self, at: datetime) -> datetime:
        """``at`` in the calendar's time zone; naive datetimes are refused (ambiguous)."""
        if not isinstance(at, datetime):
            raise Invalid(f"expected a timezone-aware datetime, got {type(at).__name__}")
        if at.tzinfo is None or at.utcoffset() is None:
            raise Invalid(
                f"naive datetime {at.isoformat()}: give a timezone-aware time "
                f"(e.g. {at.isoformat()}+08:00) so the calendar date is unambiguous"
            )
        return at if at.tzinfo is self._tz else at.astimezone(self._tz)

    def due(self, at: datetime, n: int) -> datetime:
        """Close of business of the N-th working day strictly after ``at``'s local date (§2).

        n=0: close of business of ``at``'s own date when that is a working day, else of the next
        working day (so it can lie before ``at`` when the event came in after closing).
        Raises ``Invalid`` for a naive datetime or n < 0.
        """
        if at.tzinfo is not self._tz:
            at = self.local(at)
        day = self.add_working_days(at.date(), n)
        return datetime.combine(day, self._closes, self._tz)

    def due_info(self, at: datetime, n: int) -> DueInfo:
        """``due`` plus whether it relies on a year without an official schedule."""
        local = self.local(at)
        deadline = self.due(local, n)
        first = local.date() if n == 0 else local.date() + timedelta(days=1)
        return DueInfo(deadline, self._span_provisional(first, deadline.date()))

    def in_business_hours(self, at: datetime) -> bool:
        """Whether staff are working at ``at``: a working day, opens <= local time < closes."""
        local = self.local(at)
        return self.is_working_day(local.date()) and self._opens <= local.time() < self._closes

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when inside business hours, else when staff hours next begin.

        For "we will pick this up at …" on intake outside hours; the result is in the calendar's
        time zone unless ``at`` is returned unchanged.
        """
        local = self.local(at)
        day, now = local.date(), local.time()
        if self.is_working_day(day):
            if self._opens <= now < self._closes:
                return at
            if now < self._opens:
                return datetime.combine(day, self._opens, self._tz)
        return datetime.combine(self.add_working_days(day, 1), self._opens, self._tz)

    # ----------------------------------------------------------------- coverage of official data
    def is_complete(self, year: int) -> bool:
        """Whether the official schedule for ``year`` is known (else answers are provisional)."""
        return year in self._official

    def provisional(self, when: date | datetime) -> bool:
        """Whether the kind of this date may still change when a missing notice is published.

        True in a year without a schedule, and in the last days of December when the next
        year's schedule is missing (New Year periods can start then).
        """
        day = self.local(when).date() if isinstance(when, datetime) else when
        return self._span_provisional(day, day)

    def _span_provisional(self, first: date, last: date) -> bool:
        if any(not self.is_complete(y) for y in range(first.year, last.year + 1)):
            return True
        late = last.month == 12 and last.day >= LATE_DECEMBER_DAY
        return late and not self.is_complete(last.year + 1)

    def official_year_warnings(self, year: int) -> list[str]:
        """Plausibility warnings for an admin-entered schedule (e.g. 2027 without 国庆节).

        Compares the year's period names with those every one of the five schedules before it
        has; returns human-readable warnings, empty when nothing looks missing.
        """
        schedule = self._official.get(year)
        if schedule is None:
            return [f"{year}: no official schedule"]
        earlier = [y for y in self._official if y < year][-5:] or [y for y in self._official if y != year]
        if not earlier:
            return []
        usual = set.intersection(*(_period_names(self._official[y]) for y in earlier))
        have = _period_names(schedule)
        warnings = [
            f"{year}: no {name} period (every schedule {earlier[0]}–{earlier[-1]} has one)"
            for name in sorted(usual - have)
        ]
        if not schedule.makeup:
            warnings.append(f"{year}: no make-up working days (most years have some)")
        return warnings

    # ----------------------------------------------------------------- variants
    def _replace(self, **changes: object) -> WorkCalendar:
        kwargs: dict[str, object] = {
            "weekdays": self._weekdays,
            "official": self._official.values(),
            "company_off": self._company_off,
            "company_on": self._company_on,
            "opens": self._opens,
            "closes": self._closes,
            "tz": self._tz,
        }
        kwargs.update(changes)
        return WorkCalendar(**kwargs)  # type: ignore[arg-type]

    def with_official_year(
        self,
        year: int,
        *,
        holidays: Mapping[date, str],
        makeup: Mapping[date, str] | None = None,
        notice: str = "",
        number: str = "",
        url: str = "",
    ) -> WorkCalendar:
        """A calendar with ``year``'s official schedule added (or replaced); raises ``Invalid``."""
        schedule = OfficialYear(year, holidays, makeup or {}, notice=notice, number=number, url=url)
        others = [s for y, s in self._official.items() if y != year]
        return self._replace(official=[*others, schedule])

    def with_company_days(
        self,
        *,
        off: Mapping[date, str] | Iterable[date] = (),
        on: Mapping[date, str] | Iterable[date] = (),
    ) -> WorkCalendar:
        """A calendar with company days off/on added; a new entry replaces an old one for its date.

        Raises ``Invalid`` when one date is given as both off and on.
        """
        new_off, new_on = _named_days(off), _named_days(on)
        both = sorted(set(new_off) & set(new_on))
        if both:
            raise Invalid(
                f"{', '.join(map(str, both))}: a company day cannot be both off and on",
                dates=[d.isoformat() for d in both],
            )
        company_off = {d: n for d, n in self._company_off.items() if d not in new_on} | new_off
        company_on = {d: n for d, n in self._company_on.items() if d not in new_off} | new_on
        return self._replace(company_off=company_off, company_on=company_on)

    def with_rows(self, rows: Iterable[DayRow], *, year: int | None = None) -> WorkCalendar:
        """A calendar with imported rows applied: official rows per notice year, company rows."""
        rows = list(rows)
        cal: WorkCalendar = self
        for schedule in official_years_from_rows(rows, year=year):
            cal = cal.with_official_year(schedule.year, holidays=schedule.holidays, makeup=schedule.makeup)
        off = {r.date: r.name for r in rows if r.kind is DayKind.COMPANY_OFF}
        on = {r.date: r.name for r in rows if r.kind is DayKind.COMPANY_ON}
        return cal.with_company_days(off=off, on=on) if off or on else cal


# --------------------------------------------------------------------- helpers
def _bad_n(n: object) -> str:
    if type(n) is not int:
        return f"working days must be an integer, got {n!r}"
    if n < 0:
        return f"working days must be 0 or more, got {n}"
    return f"working days must be at most {MAX_WORKING_DAYS}, got {n}"


def _named_days(days: Mapping[date, str] | Iterable[date]) -> dict[date, str]:
    named = dict(days) if isinstance(days, Mapping) else dict.fromkeys(days, "")
    for day in named:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise Invalid(f"expected a date, got {day!r}")
    return named


def _period_names(schedule: OfficialYear) -> set[str]:
    """Festival names of a schedule; combined periods ("国庆节、中秋节") count for each."""
    return {part for name in schedule.holidays.values() for part in name.split("、") if part}


# --------------------------------------------------------------------- data: shipped and imported
def parse_official_schedules(source: str | bytes | Path | None = None) -> tuple[OfficialYear, ...]:
    """Parse official schedules in the shipped TOML format (default: the shipped file).

    ``source`` is TOML text/bytes or a path. Raises ``Invalid`` for malformed data.
    """
    if source is None:
        text = resources.files("shouhou.domain").joinpath("data", SHIPPED_DATA).read_text("utf-8")
    elif isinstance(source, Path):
        text = source.read_text("utf-8")
    elif isinstance(source, bytes):
        text = source.decode("utf-8")
    else:
        text = source
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"official schedules: {exc}") from exc
    schedules = []
    for block in document.get("schedule", []):
        year = block.get("year")
        if type(year) is not int:
            raise Invalid(f"official schedules: a block without an integer year: {block!r}")
        holidays: dict[date, str] = {}
        makeup: dict[date, str] = {}
        for period in block.get("periods", []):
            name = period.get("name", "")
            first, last = _date_pair(year, period.get("off"))
            if period.get("joins_weekend") and any(
                (first + timedelta(days=i)).weekday() >= 5 for i in range((last - first).days + 1)
            ):
                # DESIGN §2: "X日放假，与周末连休" makes X a holiday, not the weekend it joins.
                raise Invalid(
                    f"official schedules {year}/{name}: joins_weekend, so off must hold no Saturday or "
                    f"Sunday, got {first.isoformat()}..{last.isoformat()}",
                    reason="joins_weekend_has_weekend",
                )
            for offset in range((last - first).days + 1):
                holidays[first + timedelta(days=offset)] = name
            for day in period.get("work", []):
                if not isinstance(day, date) or isinstance(day, datetime):
                    raise Invalid(f"official schedules {year}/{name}: bad make-up date {day!r}")
                makeup[day] = name
        schedules.append(
            OfficialYear(
                year,
                holidays,
                makeup,
                notice=block.get("notice", ""),
                number=block.get("number", ""),
                url=block.get("url", ""),
            )
        )
    return tuple(schedules)


def _date_pair(year: int, value: object) -> tuple[date, date]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, date) and not isinstance(v, datetime) for v in value)
        or value[1] < value[0]
    ):
        raise Invalid(f"official schedules {year}: off must be [first, last] dates, got {value!r}")
    return value[0], value[1]


_KIND_ALIASES: dict[str, DayKind] = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "makeup": DayKind.MAKEUP,
    "班": DayKind.MAKEUP,
    "补班": DayKind.MAKEUP,
    "调休上班": DayKind.MAKEUP,
    "company_off": DayKind.COMPANY_OFF,
    "公司休": DayKind.COMPANY_OFF,
    "company_on": DayKind.COMPANY_ON,
    "公司班": DayKind.COMPANY_ON,
}


def load_day_rows(source: TextIO | str | Path | Iterable[Sequence[str]]) -> list[DayRow]:
    """Read (date, kind, name) rows, e.g. a CSV export; kinds: holiday/makeup/company_off/
    company_on, or 休/班 (also 放假, 补班, 公司休, 公司班).

    ``source`` is a CSV file object, CSV text, a path, or already-split rows. A first row whose
    first cell is not a date is taken as a header. Raises ``Invalid`` naming the bad line.
    """
    if isinstance(source, Path):
        source = source.read_text("utf-8-sig")
    if isinstance(source, str):
        source = io.StringIO(source)
    rows: Iterable[Sequence[str]] = csv.reader(source) if isinstance(source, io.IOBase) else source
    result: list[DayRow] = []
    seen: dict[date, int] = {}
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            day = date.fromisoformat(cells[0].lstrip("\ufeff"))
        except ValueError:
            if line == 1:
                continue  # header
            raise Invalid(f"line {line}: {cells[0]!r} is not a date (YYYY-MM-DD)", line=line) from None
        if len(cells) < 2 or cells[1].lower() not in _KIND_ALIASES:
            got = cells[1] if len(cells) > 1 else ""
            raise Invalid(
                f"line {line}: kind {got!r} is not one of holiday, makeup, company_off, company_on, 休, 班",
                line=line,
            )
        if day in seen:
            raise Invalid(f"line {line}: {day.isoformat()} already given on line {seen[day]}", line=line)
        seen[day] = line
        result.append(DayRow(day, _KIND_ALIASES[cells[1].lower()], cells[2] if len(cells) > 2 else ""))
    return result


def official_years_from_rows(rows: Iterable[DayRow], *, year: int | None = None) -> list[OfficialYear]:
    """Group holiday/make-up rows into schedules.

    With ``year`` all rows form that notice year's schedule (so late-December dates of a New
    Year period belong to it); without, each row goes to its own calendar year.
    """
    grouped: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
    for row in rows:
        if row.kind not in (DayKind.HOLIDAY, DayKind.MAKEUP):
            continue
        holidays, makeup = grouped.setdefault(year if year is not None else row.date.year, ({}, {}))
        (holidays if row.kind is DayKind.HOLIDAY else makeup)[row.date] = row.name
    return [OfficialYear(y, h, m) for y, (h, m) in sorted(grouped.items())]


@functools.cache
def china_calendar() -> WorkCalendar:
    """The default calendar: shipped official data, Mon–Sat, 10:15–18:30, Asia/Shanghai."""
    return WorkCalendar(official=parse_official_schedules())
