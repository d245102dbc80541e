"""Coverage of a unit on a given day: replacement period, warranty, or neither (DESIGN §2).

Plain Python: the caller loads the unit's dates and its model's terms and passes the day,
so the same rules serve the API, the service-form review and the reports.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Final, TypeVar

from shouhou.domain.errors import Invalid

__all__ = [
    "STATUS_LABELS",
    "Coverage",
    "CoverageStatus",
    "Terms",
    "UnitDates",
    "add_months",
    "coverage_on",
    "original_dates",
]

ONE_DAY: Final = timedelta(days=1)
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

K = TypeVar("K", bound=Hashable)


class CoverageStatus(StrEnum):
    """Where a unit stands on a day; the values are the API's `coverage` strings."""

    REPLACEMENT = "replacement"
    WARRANTY = "warranty"
    OUT_OF_WARRANTY = "out_of_warranty"
    DISCONTINUED = "discontinued"


STATUS_LABELS: Final[dict[CoverageStatus, str]] = {
    CoverageStatus.REPLACEMENT: "包换期内",
    CoverageStatus.WARRANTY: "保修期内",
    CoverageStatus.OUT_OF_WARRANTY: "已过保",
    CoverageStatus.DISCONTINUED: "已停产",
}


def add_months(day: date, months: int) -> date:
    """Return `day` moved by `months` calendar months, clamped to the end of the month.

    2024-01-31 + 1 month is 2024-02-29; 2023-01-31 + 1 month is 2023-02-28. Raises
    ValueError when the result falls outside the years 1–9999.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} + {months} months is outside the calendar")
    # Days in the month without calendar.monthrange, which also works out the weekday.
    last_day = 29 if month0 == 1 and calendar.isleap(year) else _MONTH_DAYS[month0]
    return date(year, month0 + 1, min(day.day, last_day))


# Bounds of the periods: far past any vendor's terms, and near enough that every end date of a
# unit shipped in this millennium stays a real date (a billion days broke every page of the unit).
MAX_REPLACEMENT_DAYS = 3660  # ten years
MAX_WARRANTY_MONTHS = 240  # twenty years


@dataclass(frozen=True, slots=True)
class Terms:
    """A product model's coverage terms: replacement period R in days, warranty W in months.

    `discontinued_on` is the day the model was discontinued, if it was. Use
    `with_overrides` for a unit whose terms differ from its model's.
    """

    replacement_days: int
    warranty_months: int
    discontinued_on: date | None = None

    def __post_init__(self) -> None:
        days, months = self.replacement_days, self.warranty_months
        if (type(days) is int and type(months) is int and 0 <= days <= MAX_REPLACEMENT_DAYS
                and 0 <= months <= MAX_WARRANTY_MONTHS):
            return  # the usual case, checked without the loop below (the public API's hot path)
        for name, most in (("replacement_days", MAX_REPLACEMENT_DAYS), ("warranty_months", MAX_WARRANTY_MONTHS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
                raise Invalid(f"{name} must be a whole number from 0 to {most}", reason="out_of_range",
                              field=name, max=most)

    def with_overrides(
        self, *, replacement_days: int | None = None, warranty_months: int | None = None
    ) -> Terms:
        """Return these terms with a unit's own period lengths where it has them (None keeps)."""
        if replacement_days is None and warranty_months is None:
            return self  # frozen: nothing to copy
        return replace(
            self,
            replacement_days=self.replacement_days if replacement_days is None else replacement_days,
            warranty_months=self.warranty_months if warranty_months is None else warranty_months,
        )


@dataclass(frozen=True, slots=True)
class UnitDates:
    """The dates that start a unit's coverage: shipped to the dealer, sold to the end user.

    For a replacement unit, pass the dates of the original unit of its chain
    (see `original_dates`): it keeps the warranty start of the unit it replaced.
    """

    shipped_on: date | None
    sold_on: date | None = None

    def __post_init__(self) -> None:
        if self.shipped_on is not None and self.sold_on is not None and self.sold_on < self.shipped_on:
            raise Invalid("the unit cannot be sold before it was shipped", field="sold_on")

    @property
    def warranty_start(self) -> date:
        """The sale date where recorded, else the shipping date; raises Invalid if neither."""
        start = self.sold_on or self.shipped_on
        if start is None:
            raise Invalid("the unit was never shipped: it has no warranty start", field="shipped_on")
        return start


@dataclass(frozen=True, slots=True)
class Coverage:
    """A unit's coverage on one day.

    `days_left` counts the days left in the current period, today included: up to
    `replacement_end` while in replacement, up to `warranty_end` while in warranty, and is None
    once out of warranty or discontinued. With R = 0 `replacement_end` is the day before
    `warranty_start`; with W = 0 so is `warranty_end`.
    """

    status: CoverageStatus
    warranty_start: date
    replacement_end: date
    warranty_end: date
    days_left: int | None

    @property
    def label(self) -> str:
        """The status in Chinese, as shown to staff, dealers and end users."""
        return STATUS_LABELS[self.status]


def coverage_on(*, dates: UnitDates, terms: Terms, day: date) -> Coverage:
    """Return the coverage of a unit with `dates` and `terms` on `day` (DESIGN §2).

    Raises Invalid when the unit has no warranty start, when `day` is before it (the unit was
    not yet sold), or when the periods run past the end of the calendar.
    """
    start = dates.warranty_start
    if day < start:
        raise Invalid(
            "the unit was not yet sold on that day",
            day=day.isoformat(),
            warranty_start=start.isoformat(),
        )
    try:
        replacement_end = start + timedelta(days=terms.replacement_days) - ONE_DAY
        warranty_end = add_months(start, terms.warranty_months) - ONE_DAY
    except (OverflowError, ValueError) as exc:
        raise Invalid("the coverage periods run past the end of the calendar") from exc

    days_left: int | None
    if day <= replacement_end:
        status, days_left = CoverageStatus.REPLACEMENT, (replacement_end - day).days + 1
    elif day <= warranty_end:
        status, days_left = CoverageStatus.WARRANTY, (warranty_end - day).days + 1
    elif terms.discontinued_on is not None and terms.discontinued_on <= day:
        status, days_left = CoverageStatus.DISCONTINUED, None
    else:
        status, days_left = CoverageStatus.OUT_OF_WARRANTY, None
    return Coverage(
        status=status,
        warranty_start=start,
        replacement_end=replacement_end,
        warranty_end=warranty_end,
        days_left=days_left,
    )


def original_dates(
    unit: K,
    *,
    replaced_unit: Callable[[K], K | None],
    dates_of: Callable[[K], UnitDates],
) -> UnitDates:
    """Return the dates of the first unit in `unit`'s replacement chain.

    `replaced_unit(u)` gives the unit that `u` replaced, or None for an original unit;
    `dates_of(u)` gives its dates. Raises Invalid if the chain loops.
    """
    seen: set[K] = set()
    current = unit
    while (previous := replaced_unit(current)) is not None:
        seen.add(current)
        if previous in seen:
            raise Invalid("the replacement chain loops back on itself", unit=str(previous))
        current = previous
    return dates_of(current)
