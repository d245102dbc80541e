"""The logic of the managers' figures (reports), as plain Python over aggregated rows.

The database does the counting (GROUP BY); what is left is policy: which deadline record is
which step of DESIGN §2, how a period is bounded, how working-day turnaround is counted from a
report date to a ship date with the product calendar, and how a median or p90 is read from a
histogram. Everything here takes small, already-aggregated inputs, never one row per line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.errors import Invalid

# A unit that comes back within this many days of its previous report is a repeat return.
REPEAT_WINDOW_DAYS = 90
# The longest period one report covers (the API and the pages refuse longer ones).
MAX_PERIOD_DAYS = 731


class Step(StrEnum):
    """The steps managers track deadlines of, in the order of the process (issue 15, item 1)."""

    REVIEW = "review"  # review the service form: 1 WD
    SHIP_ADVANCE = "ship_advance"  # ship the new unit of an advance replacement: 1 WD
    CONTACT = "contact"  # contact the dealer / decide after receipt: 3 WD
    SHIP_REPLACEMENT = "ship_replacement"  # ship the replacement unit: 3 WD
    SHIP_REPAIR = "ship_repair"  # ship the repaired unit: 10 WD
    FAULTY_RETURN = "faulty_return"  # the dealer returns the faulty unit of an advance replacement: 3 WD


STEPS: tuple[Step, ...] = tuple(Step)

REPLACEMENT_PATHS = frozenset({"free_replacement", "paid_replacement", "advance_replacement"})

# Deadline-record kinds (shouhou.rma DeadlineKind) that are one step whatever the path.
_KIND_STEPS: Mapping[str, Step] = {
    "review": Step.REVIEW,
    "ship_advance": Step.SHIP_ADVANCE,
    "faulty_return": Step.FAULTY_RETURN,
    "inspect": Step.CONTACT,
    "settle": Step.CONTACT,
    "contact": Step.CONTACT,
}


def step_of(kind: str, path: str | None) -> Step | None:
    """The reported step of a deadline record of KIND on a line of PATH, or None when the record
    is no step managers track (the dealer's answer to a quote, sending a declined unit back)."""
    if kind in _KIND_STEPS:
        return _KIND_STEPS[kind]
    if kind == "ship":
        return Step.SHIP_REPLACEMENT if path in REPLACEMENT_PATHS else Step.SHIP_REPAIR
    return None


@dataclass(frozen=True)
class StepTally:
    step: Step
    met: int = 0  # closed on time
    late: int = 0  # closed after the deadline
    open_overdue: int = 0  # still open and past the deadline

    @property
    def total(self) -> int:
        return self.met + self.late + self.open_overdue

    @property
    def rate(self) -> float | None:
        """Share met on time, in percent, of every deadline that fell due (None when none did)."""
        return percent(self.met, self.total)


def tally_steps(rows: Iterable[tuple[str, str | None, int, int, int]]) -> list[StepTally]:
    """Sum grouped rows (kind, path, met, late, open_overdue) into one tally per step, every step
    present and in process order."""
    sums: dict[Step, list[int]] = {s: [0, 0, 0] for s in STEPS}
    for kind, path, met, late, open_overdue in rows:
        step = step_of(kind, path)
        if step is None:
            continue
        acc = sums[step]
        acc[0] += met
        acc[1] += late
        acc[2] += open_overdue
    return [StepTally(s, *sums[s]) for s in STEPS]


def tally_by(rows: Iterable[tuple[date, str, str | None, int, int, int]],
             bucket: Callable[[date], date]) -> list[tuple[date, list[StepTally]]]:
    """Grouped rows (due date, kind, path, met, late, open_overdue) summed per BUCKET(due date)
    (e.g. `week_start`, `month_start`) and step, buckets in order."""
    grouped: dict[date, list[tuple[str, str | None, int, int, int]]] = {}
    for day, *rest in rows:
        grouped.setdefault(bucket(day), []).append(tuple(rest))  # type: ignore[arg-type]
    return [(start, tally_steps(grouped[start])) for start in sorted(grouped)]


def percent(part: int, whole: int) -> float | None:
    """PART of WHOLE in percent with one decimal; None when WHOLE is 0 (no figure, not 0 %)."""
    if whole <= 0:
        return None
    return round(100 * part / whole, 1)


# --- periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Calendar dates FIRST..LAST inclusive (local dates of the product's time zone)."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def end(self) -> date:
        """The day after the last: the exclusive upper bound of range queries."""
        return self.last + timedelta(days=1)


def parse_date(value: object, field: str) -> date:
    """An ISO date (YYYY-MM-DD); raises Invalid(code="bad_date", field=FIELD) otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(f"{field} must be a date as YYYY-MM-DD", code="bad_date", field=field) from None


def period(first: object, last: object, *, today: date, default_days: int = 90,
           max_days: int = MAX_PERIOD_DAYS) -> Period:
    """The period FIRST..LAST; either may be empty (None or ""): LAST defaults to TODAY and
    FIRST to DEFAULT_DAYS before LAST. Raises Invalid with code `bad_date`, `period_reversed`
    (first after last) or `period_too_long` (more than MAX_DAYS days)."""
    end = parse_date(last, "to") if last not in (None, "") else today
    start = parse_date(first, "from") if first not in (None, "") else end - timedelta(days=default_days - 1)
    if start > end:
        raise Invalid("from is after to", code="period_reversed", field="from")
    result = Period(start, end)
    if result.days > max_days:
        raise Invalid(f"a period covers at most {max_days} days", code="period_too_long", field="to",
                      max_days=max_days)
    return result


def month_start(day: date) -> date:
    return day.replace(day=1)


def week_start(day: date) -> date:
    """The Monday of DAY's ISO week (how weeks are labelled)."""
    return day - timedelta(days=day.weekday())


# --- turnaround ---------------------------------------------------------------------------------


def turnaround_histogram(pairs: Iterable[tuple[date, date, int]], calendar: WorkCalendar) -> dict[int, int]:
    """Working days from report to shipment → how many lines, from grouped rows
    (reported_on, shipped_on, count). A unit shipped on its report day took 0 working days;
    the count is the working days strictly after the report date up to the ship date (§2)."""
    histogram: dict[int, int] = {}
    for reported_on, shipped_on, count in pairs:
        days = max(0, calendar.working_days_between(reported_on, shipped_on))
        histogram[days] = histogram.get(days, 0) + count
    return dict(sorted(histogram.items()))


def percentile(histogram: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank Q-quantile (0 < Q ≤ 1) of a histogram value → count: the smallest value
    whose cumulative count reaches ceil(Q × N). None for an empty histogram."""
    if not 0 < q <= 1:
        raise ValueError("q must be in (0, 1]")
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = math.ceil(q * total)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


# Turnaround buckets of the distribution chart, in working days (upper bounds inclusive).
BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 3), (4, 5), (6, 10), (11, 15), (16, 20), (21, None))


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"≥{low}"


def distribution(histogram: Mapping[int, int]) -> list[tuple[str, int]]:
    """The histogram folded into BUCKETS: (label, count) for every bucket, in order."""
    out = []
    for low, high in BUCKETS:
        out.append((bucket_label(low, high),
                    sum(n for v, n in histogram.items() if v >= low and (high is None or v <= high))))
    return out


@dataclass(frozen=True)
class Turnaround:
    path: str
    lines: int
    median: int | None
    p90: int | None
    distribution: list[tuple[str, int]]


def turnaround(path: str, histogram: Mapping[int, int]) -> Turnaround:
    return Turnaround(path, sum(histogram.values()), percentile(histogram, 0.5), percentile(histogram, 0.9),
                      distribution(histogram))


# --- quality ------------------------------------------------------------------------------------


def repeat_returns(reported_on: Iterable[date], window_days: int = REPEAT_WINDOW_DAYS) -> int:
    """How many of one serial's reports came within WINDOW_DAYS after its previous report."""
    days = sorted(reported_on)
    return sum(1 for a, b in pairwise(days) if (b - a).days <= window_days)
