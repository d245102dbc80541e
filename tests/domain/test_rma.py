"""The RMA line machine by example: the outcome table, each path end to end, deadlines by hand.

Deadlines use the real `china_calendar()` and cross National Day 2025 (Oct 1–8 off, Sun Sep 28
worked) and Spring Festival 2026 (Feb 15–23 off); each expected value is counted by hand in a
comment. `WeekCalendar` is a small independent stand-in (weekly pattern plus the 2025 – Spring
Festival 2026 holidays, hand-copied) that exercises the `WorkCalendar` protocol with another
weekly pattern; it is checked against the real calendar below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shouhou.domain import rma
from shouhou.domain.calendar import china_calendar
from shouhou.domain.errors import IllegalEvent, Invalid, StaleVersion
from shouhou.domain.rma import Effect, Event, Line, Path, State, Step, WorkCalendar

# Helpers

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


CAL: WorkCalendar = china_calendar()


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
        self.step: Step = rma.submit(coverage=coverage, at=self.clock, now=self.clock, calendar=CAL, policy=policy)
        self.steps: list[Step] = [self.step]

    @property
    def line(self) -> Line:
        return self.step.line

    def do(self, event: str, *, at: str | None = None, fields: dict[str, object] | None = None, **more: object) -> Step:
        self.clock = t(at) if at else self.clock + timedelta(hours=1)
        merged = {**FIELDS.get(event, {}), **(fields or {}), **more}
        self.step = rma.apply(
            self.line, event, at=self.clock, now=self.clock, calendar=CAL, policy=self.policy, fields=merged
        )
        self.steps.append(self.step)
        return self.step

    def run(self, *events: str) -> Step:
        for event in events:
            self.do(event)
        return self.step


# Review


def test_submitting_sets_review_due_in_one_working_day_across_national_day() -> None:
    # Tue Sep 30 → next working day is Thu Oct 9 (Oct 1–8 off).
    step = rma.submit(coverage="warranty", at=t("2025-09-30 10:00"), now=t("2025-09-30 10:00"), calendar=CAL)
    line = step.line
    assert (line.state, line.path, line.version) == (State.SUBMITTED, None, 1)
    assert line.due_at == end_of_business("2025-10-09")
    assert line.dealer_due_at is None
    assert line.clock_started_at == line.last_event_at == t("2025-09-30 10:00")
    assert step.event is Event.SUBMIT
    assert "state" in step.changed and "version" not in step.changed


def test_submission_in_the_future_is_refused() -> None:
    with pytest.raises(Invalid):
        rma.submit(coverage="warranty", at=t("2025-09-30 10:01"), now=t("2025-09-30 10:00"), calendar=CAL)


def test_unknown_coverage_is_refused() -> None:
    with pytest.raises(Invalid):
        rma.submit(coverage="lifetime", at=t("2025-09-30 10:00"), calendar=CAL)


def test_submitted_line_allows_the_review_events() -> None:
    assert rma.allowed(Driver("replacement").line) == (
        "approve",
        "approve_advance",
        "request_info",
        "reject",
        "cancel",
    )
    assert "approve_advance" not in rma.allowed(Driver("warranty").line)


def test_approval_hands_the_move_to_the_dealer_without_a_deadline() -> None:
    d = Driver("warranty")
    step = d.do("approve")
    assert step.line.state is State.APPROVED
    assert (step.line.due_at, step.line.dealer_due_at, step.line.clock_started_at) == (None, None, None)
    assert rma.whose_move(step.line) == "dealer"
    assert step.effects == (Effect.RETURN_AUTHORISATION,)
    assert set(step.changed) == {"state", "due_at", "clock_started_at", "last_event_at"}
    assert rma.allowed(step.line) == ("ship_to_centre", "receive", "cancel")


def test_request_info_stops_the_clock_and_resubmission_restarts_it() -> None:
    d = Driver("warranty", start="2026-02-12 09:00")
    step = d.do("request_info", at="2026-02-12 11:00")
    assert step.line.state is State.INFO_REQUESTED
    assert step.line.due_at is None and step.line.dealer_due_at is None
    assert step.effects == (Effect.INFO_REQUEST,)
    assert step.data == {"message": "topology diagram missing"}
    assert rma.allowed(step.line) == ("resubmit", "reject", "cancel")
    # Resubmitted Fri Feb 13: Sat Feb 14 is worked (make-up day and Saturday anyway).
    step = d.do("resubmit", at="2026-02-13 16:00")
    assert step.line.state is State.SUBMITTED
    assert step.line.due_at == end_of_business("2026-02-14")
    assert step.line.clock_started_at == t("2026-02-13 16:00")
    # Resubmitted Sat Feb 14 itself: the next working day is Tue Feb 24.
    d.do("request_info", at="2026-02-14 10:00")
    assert d.do("resubmit", at="2026-02-14 11:00").line.due_at == end_of_business("2026-02-24")


def test_rejection_is_final_and_allows_nothing() -> None:
    d = Driver("warranty")
    step = d.do("reject")
    assert (step.line.state, step.line.path) == (State.REJECTED, Path.REJECTED)
    assert step.line.due_at is None
    assert step.effects == (Effect.REJECTION_NOTICE,)
    assert rma.allowed(step.line) == ()
    with pytest.raises(IllegalEvent) as exc:
        d.do("approve")
    assert exc.value.allowed == []
    assert exc.value.status == 409


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(Invalid) as exc:
        Driver().do("reject", reason="  ")
    assert exc.value.extra["field"] == "reason"


@pytest.mark.parametrize("setup", [(), ("request_info",), ("approve",), ("approve_advance",)])
def test_cancel_before_any_unit_moved(setup: tuple[str, ...]) -> None:
    d = Driver("replacement")
    d.run(*setup)
    step = d.do("cancel")
    assert (step.line.state, step.line.path) == (State.CANCELLED, Path.CANCELLED)
    assert (step.line.due_at, step.line.dealer_due_at) == (None, None)
    assert step.effects == (Effect.CANCELLATION_NOTICE,)
    assert rma.allowed(step.line) == ()


@pytest.mark.parametrize(
    "setup",
    [("approve", "ship_to_centre"), ("approve", "receive"), ("approve_advance", "ship_replacement")],
)
def test_cancel_after_a_unit_moved_is_illegal(setup: tuple[str, ...]) -> None:
    d = Driver("replacement")
    d.run(*setup)
    with pytest.raises(IllegalEvent) as exc:
        d.do("cancel")
    assert exc.value.allowed == sorted(rma.allowed(d.line))


# Roles


def test_dealer_may_apply_only_its_events() -> None:
    assert {e for e in Event if e != "submit" and rma.actor_may("dealer", e)} == set(rma.DEALER_EVENTS)
    assert rma.actor_may("service_center", "approve")
    assert rma.actor_may("customer_service", "cancel", state="approved")


def test_dealer_may_cancel_only_before_approval() -> None:
    assert rma.actor_may("dealer", "cancel", state="submitted")
    assert rma.actor_may("dealer", "cancel", state="info_requested")
    assert not rma.actor_may("dealer", "cancel", state="approved")
    assert not rma.actor_may("dealer", "cancel", state="advance_approved")


def test_allowed_for_filters_by_role() -> None:
    d = Driver("replacement")
    assert rma.allowed_for(d.line, "dealer") == ("cancel",)
    d.do("approve")
    assert rma.allowed_for(d.line, "dealer") == ("ship_to_centre",)
    assert rma.allowed_for(d.line, "service_center") == ("ship_to_centre", "receive", "cancel")


# Receipt and the outcome table


def received(coverage: str, *, at: str = "2025-09-30 10:00") -> Driver:
    d = Driver(coverage, start="2025-09-29 09:00")
    d.do("approve", at="2025-09-29 10:00")
    d.do("ship_to_centre", at="2025-09-29 11:00")
    d.do("receive", at=at)
    return d


def test_receipt_sets_due_three_working_days_after_across_national_day() -> None:
    # DESIGN §2's example: received Tue Sep 30 → Oct 9, 10, Sat 11 → due Oct 11 18:30.
    line = received("warranty").line
    assert line.state is State.RECEIVED and line.path is None
    assert line.due_at == end_of_business("2025-10-11")
    assert line.received_at == line.clock_started_at == t("2025-09-30 10:00")
    assert rma.allowed(line) == ("inspect",)


def test_receipt_counts_the_local_date_of_a_utc_time() -> None:
    d = Driver("warranty", start="2025-09-29 09:00")
    d.do("approve", at="2025-09-29 10:00")
    # 17:30 UTC on Sep 29 is 01:30 on Sep 30 in Shanghai.
    at = datetime(2025, 9, 29, 17, 30, tzinfo=UTC)
    step = rma.receive(d.line, at=at, now=at, calendar=CAL, condition="")
    assert step.line.due_at == end_of_business("2025-10-11")


def test_receipt_straight_from_approved_is_accepted() -> None:
    d = Driver("warranty")
    d.do("approve")
    assert d.do("receive").line.state is State.RECEIVED


# coverage, fault confirmed, damage → path, state, deadline (received Tue Sep 30), next events
OUTCOMES = [
    ("replacement", True, [], Path.FREE_REPLACEMENT, State.REPLACING, "2025-10-11", ("ship_replacement",)),
    ("replacement", True, ["cosmetic"], Path.QUOTE, State.QUOTING, "2025-10-11", ("send_quote",)),
    ("replacement", True, ["missing_parts"], Path.QUOTE, State.QUOTING, "2025-10-11", ("send_quote",)),
    ("replacement", True, ["liquid", "burn"], Path.QUOTE, State.QUOTING, "2025-10-11", ("send_quote",)),
    ("replacement", False, [], Path.NO_FAULT_FOUND, State.RETURNING, "2025-10-11", ("ship_back",)),
    # 10 WD after Sep 30: Oct 9 10 11 13 14 15 16 17 18 20.
    ("warranty", True, [], Path.FREE_REPAIR, State.REPAIRING, "2025-10-20", ("complete_repair",)),
    ("warranty", True, ["cosmetic", "missing_parts"], Path.FREE_REPAIR, State.REPAIRING, "2025-10-20", None),
    ("warranty", True, ["physical"], Path.QUOTE, State.QUOTING, "2025-10-11", ("send_quote",)),
    ("warranty", True, ["liquid"], Path.QUOTE, State.QUOTING, "2025-10-11", None),
    ("warranty", True, ["burn"], Path.QUOTE, State.QUOTING, "2025-10-11", None),
    ("warranty", True, ["tampered"], Path.QUOTE, State.QUOTING, "2025-10-11", None),
    ("warranty", False, ["physical"], Path.NO_FAULT_FOUND, State.RETURNING, "2025-10-11", ("ship_back",)),
    ("out_of_warranty", True, [], Path.QUOTE, State.QUOTING, "2025-10-11", ("send_quote",)),
    ("out_of_warranty", True, ["liquid"], Path.QUOTE, State.QUOTING, "2025-10-11", None),
    ("out_of_warranty", False, [], Path.NO_FAULT_FOUND, State.RETURNING, "2025-10-11", None),
    ("discontinued", True, [], Path.BEST_EFFORT, State.QUOTING, "2025-10-11", ("send_quote", "ship_back")),
    ("discontinued", True, ["burn"], Path.BEST_EFFORT, State.QUOTING, "2025-10-11", None),
    ("discontinued", False, [], Path.NO_FAULT_FOUND, State.RETURNING, "2025-10-11", None),
]


@pytest.mark.parametrize(("coverage", "fault", "damage", "path", "state", "due", "next_events"), OUTCOMES)
def test_inspection_decides_the_path_by_the_outcome_table(
    coverage: str,
    fault: bool,
    damage: list[str],
    path: Path,
    state: State,
    due: str,
    next_events: tuple[str, ...] | None,
) -> None:
    d = received(coverage)
    step = d.do("inspect", fault_confirmed=fault, damage=damage, components=["mainboard"])
    line = step.line
    assert (line.path, line.state) == (path, state)
    assert line.due_at == end_of_business(due)
    assert line.clock_started_at == line.received_at == t("2025-09-30 10:00")
    assert line.dealer_due_at is None
    assert line.fault_confirmed is fault
    assert set(line.damage) == set(damage)
    if next_events is not None:
        assert rma.allowed(line) == next_events
    sheet = Effect.REPAIR_TRACKING_SHEET in step.effects
    assert sheet is (path is Path.FREE_REPLACEMENT)


def test_inspection_needs_an_explicit_fault_finding() -> None:
    d = received("warranty")
    with pytest.raises(Invalid):
        d.do("inspect", damage=[])
    with pytest.raises(Invalid):
        d.do("inspect", fault_confirmed="yes")
    with pytest.raises(Invalid) as exc:
        d.do("inspect", fault_confirmed=True, damage=["rust"])
    assert exc.value.extra["field"] == "damage"
    assert d.line.state is State.RECEIVED


def test_damage_is_stored_in_canonical_order_without_duplicates() -> None:
    step = received("warranty").do("inspect", fault_confirmed=True, damage=["cosmetic", "physical", "cosmetic"])
    assert step.line.damage == (rma.Damage.PHYSICAL, rma.Damage.COSMETIC)
    assert step.data["damage"] == (rma.Damage.PHYSICAL, rma.Damage.COSMETIC)


# Free paths end to end


def test_free_replacement_ships_a_new_unit_and_closes_on_delivery() -> None:
    d = received("replacement")
    d.do("inspect", fault_confirmed=True, damage=[])
    step = d.do("ship_replacement", at="2025-10-10 15:00")
    assert step.line.state is State.SHIPPED
    assert (step.line.due_at, step.line.dealer_due_at) == (None, None)
    assert step.effects == (Effect.SHIPMENT_NOTICE,)
    assert step.data["replacement_serial"] == "SN-NEW"
    assert rma.whose_move(step.line) == "dealer"
    assert rma.allowed(step.line) == ("confirm_delivery", "close")
    step = d.do("confirm_delivery", at="2025-10-12 09:00")
    assert (step.line.state, step.line.path) == (State.CLOSED, Path.FREE_REPLACEMENT)
    assert step.line.delivered_at == t("2025-10-12 09:00")
    assert rma.allowed(step.line) == ()


def test_ship_replacement_needs_the_new_serial() -> None:
    d = received("replacement")
    d.do("inspect", fault_confirmed=True)
    with pytest.raises(Invalid) as exc:
        d.do("ship_replacement", replacement_serial="")
    assert exc.value.extra["field"] == "replacement_serial"


def test_free_repair_is_repaired_then_shipped_then_closed_by_staff() -> None:
    d = received("warranty")
    d.do("inspect", fault_confirmed=True, damage=["cosmetic"])
    step = d.do("complete_repair")
    assert step.line.state is State.REPAIRED
    assert step.line.due_at == end_of_business("2025-10-20")
    assert set(step.changed) == {"state", "last_event_at"}
    assert step.data == {"parts": ("PSU",), "result": "replaced power supply"}
    assert rma.allowed(step.line) == ("ship_repaired",)
    d.do("ship_repaired")
    step = d.do("close")
    assert (step.line.state, step.line.path) == (State.CLOSED, Path.FREE_REPAIR)
    assert step.line.delivered_at is None


def test_no_fault_found_ships_back_as_is() -> None:
    d = received("replacement")
    d.do("inspect", fault_confirmed=False)
    step = d.do("ship_back")
    assert (step.line.state, step.line.path) == (State.SHIPPED, Path.NO_FAULT_FOUND)
    assert Effect.REPAIR_TRACKING_SHEET not in step.effects


# Quotes


def quoted(coverage: str, **fields: object) -> Driver:
    d = received(coverage)
    damage = ["physical"] if coverage in ("replacement", "warranty") else []
    d.do("inspect", fault_confirmed=True, damage=damage, at="2025-10-09 11:00")
    d.do("send_quote", at="2025-10-10 15:00", fields=fields)
    return d


def test_quote_gives_the_dealer_until_the_end_of_its_validity() -> None:
    d = quoted("replacement", options=["paid_replacement", "paid_repair"])
    line = d.line
    assert (line.state, line.path) == (State.QUOTED, Path.QUOTE)
    assert line.due_at is None
    # 15 calendar days after Oct 10, until 23:59:59 local.
    assert line.dealer_due_at == datetime(2025, 10, 25, 23, 59, 59, tzinfo=SHANGHAI)
    assert line.clock_started_at == t("2025-10-10 15:00")
    assert line.quote_options == (Path.PAID_REPLACEMENT, Path.PAID_REPAIR)
    assert d.step.effects == (Effect.QUOTE,)
    assert d.step.data["total"] == Decimal("850.00")
    assert rma.whose_move(line) == "dealer"
    assert rma.allowed(line) == ("send_quote", "confirm_quote", "decline_quote")


def test_quote_validity_days_are_configurable_per_quote_and_counted_locally() -> None:
    d = received("out_of_warranty")
    d.do("inspect", fault_confirmed=True, at="2025-10-09 11:00")
    # 20:00 UTC on Oct 9 is already Oct 10 in Shanghai.
    at = datetime(2025, 10, 9, 20, 0, tzinfo=UTC)
    step = rma.send_quote(d.line, at=at, now=at, calendar=CAL, items=[{"text": "fan", "amount": 60}], valid_days=1)
    assert step.line.dealer_due_at == datetime(2025, 10, 11, 23, 59, 59, tzinfo=SHANGHAI)
    assert step.line.quote_options == (Path.PAID_REPAIR,)


def test_quote_default_validity_comes_from_the_policy() -> None:
    d = received("out_of_warranty")
    d.policy = rma.RmaPolicy(quote_valid_days=7)
    d.do("inspect", fault_confirmed=True, at="2025-10-09 11:00")
    d.do("send_quote", at="2025-10-10 15:00")
    assert d.line.dealer_due_at == datetime(2025, 10, 17, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.mark.parametrize("coverage", ["warranty", "out_of_warranty", "discontinued"])
def test_only_a_replacement_period_quote_may_offer_paid_replacement(coverage: str) -> None:
    d = received(coverage)
    d.do("inspect", fault_confirmed=True, damage=["physical"])
    with pytest.raises(Invalid) as exc:
        d.do("send_quote", options=["paid_replacement"])
    assert exc.value.extra["field"] == "options"
    assert d.do("send_quote").line.quote_options == (Path.PAID_REPAIR,)


@pytest.mark.parametrize(
    "fields",
    [
        {"items": []},
        {"items": [{"text": "", "amount": 1}]},
        {"items": [{"text": "x", "amount": -1}]},
        {"items": [{"text": "x", "amount": "1.005"}]},
        {"items": [{"text": "x", "amount": "NaN"}]},
        {"items": [{"text": "x", "amount": True}]},
        {"items": [{"text": "x", "amount": "1E+30"}]},
        {"items": [{"text": "x", "amount": 10**40}]},
        {"items": [{"text": "x", "amount": float("inf")}]},
        {"items": [{"text": "x", "amount": [1]}]},
        {"items": ["x"]},
        {"items": "x"},
        {"items": [{"text": "x"}]},
        {"options": []},
        {"options": ["free_repair"]},
        {"valid_days": 0},
        {"valid_days": 400},
        {"valid_days": "15"},
        {"discount": 5},
    ],
)
def test_bad_quotes_are_refused_and_change_nothing(fields: dict[str, object]) -> None:
    d = received("replacement")
    d.do("inspect", fault_confirmed=True, damage=["physical"])
    before = d.line
    with pytest.raises(Invalid):
        d.do("send_quote", fields=fields)
    assert d.line == before


def test_paid_replacement_ships_within_three_working_days_of_confirmation() -> None:
    d = quoted("replacement")
    # Confirmed Mon Sep 29 would be too early; use the quote's own dates: confirmed Sat Oct 11.
    step = d.do("confirm_quote", choice="paid_replacement", at="2025-10-11 10:00")
    line = step.line
    assert (line.state, line.path) == (State.REPLACING, Path.PAID_REPLACEMENT)
    # Oct 13, 14, 15.
    assert line.due_at == end_of_business("2025-10-15")
    assert line.dealer_due_at is None
    assert line.clock_started_at == t("2025-10-11 10:00")
    assert step.effects == (Effect.REPAIR_TRACKING_SHEET,)
    assert d.do("ship_replacement").line.state is State.SHIPPED


def test_paid_repair_ships_within_ten_working_days_across_spring_festival() -> None:
    d = Driver("out_of_warranty", start="2026-02-02 09:00")
    d.run("approve", "receive")
    d.do("inspect", fault_confirmed=True)
    d.do("send_quote", at="2026-02-10 10:00")
    assert d.line.dealer_due_at == datetime(2026, 2, 25, 23, 59, 59, tzinfo=SHANGHAI)
    step = d.do("confirm_quote", choice="paid_repair", at="2026-02-12 17:00")
    # Feb 13, Sat 14, (15–23 off), 24, 25, 26, 27, Sat 28, Mar 2, 3, 4.
    assert step.line.due_at == end_of_business("2026-03-04")
    assert (step.line.state, step.line.path) == (State.REPAIRING, Path.PAID_REPAIR)
    assert step.effects == ()
    d.run("complete_repair", "ship_repaired", "confirm_delivery")
    assert (d.line.state, d.line.path) == (State.CLOSED, Path.PAID_REPAIR)


def test_receipt_before_spring_festival_is_due_after_it() -> None:
    d = Driver("replacement", start="2026-02-11 09:00")
    d.do("approve")
    # Received Fri Feb 13: Sat 14 (worked), then Feb 24, 25.
    assert d.do("receive", at="2026-02-13 10:00").line.due_at == end_of_business("2026-02-25")


def test_confirming_an_option_not_offered_is_refused() -> None:
    d = quoted("replacement", options=["paid_repair"])
    with pytest.raises(Invalid) as exc:
        d.do("confirm_quote", choice="paid_replacement")
    assert exc.value.extra["field"] == "choice"
    with pytest.raises(Invalid):
        d.do("confirm_quote", choice="free_repair")


def test_an_expired_quote_cannot_be_confirmed_but_can_be_renewed() -> None:
    d = quoted("warranty", valid_days=1)  # sent Oct 10, valid until Oct 11 23:59:59
    with pytest.raises(Invalid) as exc:
        d.do("confirm_quote", choice="paid_repair", at="2025-10-12 00:00")
    assert exc.value.extra["field"] == "at"
    assert rma.overdue(d.line, t("2025-10-12 00:00"))
    assert rma.overdue_party(d.line, t("2025-10-12 00:00")) == "dealer"
    step = d.do("send_quote", at="2025-10-13 10:00")
    assert step.line.dealer_due_at == datetime(2025, 10, 28, 23, 59, 59, tzinfo=SHANGHAI)
    assert d.do("confirm_quote", choice="paid_repair").line.state is State.REPAIRING


def test_a_confirmation_on_the_last_second_of_validity_counts() -> None:
    d = quoted("warranty", valid_days=1)
    at = datetime(2025, 10, 11, 23, 59, 59, tzinfo=SHANGHAI)
    step = rma.confirm_quote(d.line, at=at, now=at, calendar=CAL, choice="paid_repair")
    assert step.line.path is Path.PAID_REPAIR


def test_declined_quote_ships_the_unit_back_within_three_working_days_of_the_decline() -> None:
    d = quoted("warranty")
    step = d.do("decline_quote", at="2025-10-10 18:00")
    line = step.line
    assert (line.state, line.path, line.scrap) == (State.RETURNING, Path.RETURN_UNREPAIRED, False)
    # Sat Oct 11, Mon 13, Tue 14.
    assert line.due_at == end_of_business("2025-10-14")
    assert line.dealer_due_at is None
    assert rma.allowed(line) == ("ship_back",)
    d.do("ship_back")
    assert d.do("close").line.state is State.CLOSED


def test_declined_quote_with_scrap_is_scrapped_and_closed() -> None:
    d = quoted("out_of_warranty")
    step = d.do("decline_quote", scrap=True, at="2025-10-10 18:00")
    assert (step.line.state, step.line.path, step.line.scrap) == (
        State.SCRAPPING,
        Path.RETURN_UNREPAIRED,
        True,
    )
    assert step.line.due_at == end_of_business("2025-10-14")
    assert rma.allowed(step.line) == ("close",)
    step = d.do("close")
    assert (step.line.state, step.line.path) == (State.CLOSED, Path.RETURN_UNREPAIRED)
    assert step.line.due_at is None


def test_decline_refuses_a_non_boolean_scrap() -> None:
    with pytest.raises(Invalid):
        quoted("warranty").do("decline_quote", scrap="yes")


def test_unrepaired_return_deadline_is_a_policy_number() -> None:
    d = quoted("warranty")
    d.policy = rma.RmaPolicy(unrepaired_return_wd=1)
    assert d.do("decline_quote", at="2025-10-10 18:00").line.due_at == end_of_business("2025-10-11")


# Best effort (discontinued models)


def test_best_effort_may_be_shipped_back_without_a_quote() -> None:
    d = received("discontinued")
    d.do("inspect", fault_confirmed=True)
    step = d.do("ship_back")
    assert (step.line.state, step.line.path) == (State.SHIPPED, Path.BEST_EFFORT)
    assert d.do("close").line.path is Path.BEST_EFFORT


def test_best_effort_quote_offers_repair_only_and_becomes_paid_repair() -> None:
    d = quoted("discontinued")
    assert (d.line.state, d.line.path, d.line.quote_options) == (
        State.QUOTED,
        Path.BEST_EFFORT,
        (Path.PAID_REPAIR,),
    )
    assert rma.allowed(d.line) == ("send_quote", "confirm_quote", "decline_quote")
    step = d.do("confirm_quote", choice="paid_repair", at="2025-10-11 09:00")
    assert step.line.path is Path.PAID_REPAIR
    # After Sat Oct 11: 13, 14, 15, 16, 17, Sat 18, 20, 21, 22, 23.
    assert step.line.due_at == end_of_business("2025-10-23")


def test_best_effort_quote_may_be_declined() -> None:
    d = quoted("discontinued")
    assert d.do("decline_quote").line.path is Path.RETURN_UNREPAIRED


# Advance replacement


def advance(start: str = "2025-09-29 09:00") -> Driver:
    d = Driver("replacement", start=start)
    return d


def test_advance_replacement_without_damage_closes_after_inspection() -> None:
    d = advance("2025-09-30 09:00")
    step = d.do("approve_advance", at="2025-09-30 11:00")
    line = step.line
    assert (line.state, line.path) == (State.ADVANCE_APPROVED, Path.ADVANCE_REPLACEMENT)
    assert line.due_at == end_of_business("2025-10-09")  # 1 WD, after National Day
    assert step.effects == (Effect.RETURN_AUTHORISATION,)
    assert step.data == {"reason": "internet cafe cannot open"}
    assert rma.allowed(line) == ("ship_replacement", "cancel")

    step = d.do("ship_replacement", at="2025-10-09 14:00")
    assert step.line.state is State.REPLACEMENT_SHIPPED
    assert (step.line.due_at, step.line.dealer_due_at) == (None, None)
    assert rma.allowed(step.line) == ("confirm_delivery",)

    step = d.do("confirm_delivery", at="2025-10-10 16:00")
    line = step.line
    assert line.state is State.AWAITING_RETURN
    assert line.delivered_at == t("2025-10-10 16:00")
    assert line.due_at is None
    assert line.dealer_due_at == end_of_business("2025-10-14")  # Sat 11, Mon 13, Tue 14
    assert rma.allowed(line) == ("ship_to_centre", "receive")
    assert not rma.overdue(line, t("2025-10-14 18:30"))
    assert rma.overdue_party(line, t("2025-10-14 18:31")) == "dealer"

    step = d.do("ship_to_centre", at="2025-10-13 10:00")
    assert (step.line.due_at, step.line.dealer_due_at) == (None, None)
    assert rma.whose_move(step.line) == "none"

    step = d.do("receive", at="2025-10-15 10:00")
    assert step.line.due_at == end_of_business("2025-10-18")
    assert step.line.path is Path.ADVANCE_REPLACEMENT

    step = d.do("inspect", fault_confirmed=True, damage=[])
    assert step.line.state is State.INSPECTED
    assert step.line.charge_required is False
    assert step.effects == (Effect.REPAIR_TRACKING_SHEET,)
    assert step.line.due_at == end_of_business("2025-10-18")
    assert rma.allowed(step.line) == ("charge", "close")

    step = d.do("close")
    assert (step.line.state, step.line.path) == (State.CLOSED, Path.ADVANCE_REPLACEMENT)
    assert step.line.due_at is None


def test_advance_replacement_with_damage_must_be_charged_before_closing() -> None:
    d = advance()
    d.run("approve_advance", "ship_replacement", "confirm_delivery", "ship_to_centre", "receive")
    step = d.do("inspect", fault_confirmed=True, damage=["liquid"])
    assert step.line.charge_required is True
    assert rma.allowed(step.line) == ("charge",)
    with pytest.raises(IllegalEvent) as exc:
        d.do("close")
    assert exc.value.allowed == ["charge"]

    step = d.do("charge", amount="300.5", reason="liquid damage")
    assert step.line.charge_amount == Decimal("300.50")
    assert step.effects == (Effect.BACK_CHARGE,)
    assert set(step.changed) == {"charge_amount", "last_event_at"}
    assert rma.allowed(step.line) == ("close",)
    assert d.do("close").line.state is State.CLOSED


def test_advance_damage_charge_may_be_made_optional_by_policy() -> None:
    d = advance()
    d.policy = rma.RmaPolicy(advance_damage_charge_required=False)
    d.run("approve_advance", "ship_replacement", "confirm_delivery", "receive")
    step = d.do("inspect", fault_confirmed=True, damage=["physical"])
    assert rma.allowed(step.line) == ("charge", "close")


@pytest.mark.parametrize("amount", [0, "0.00", -5, "abc", None, 1.234])
def test_a_charge_must_be_a_positive_amount(amount: object) -> None:
    d = advance()
    d.run("approve_advance", "ship_replacement", "confirm_delivery", "receive")
    d.do("inspect", fault_confirmed=True, damage=["burn"])
    with pytest.raises(Invalid):
        d.do("charge", amount=amount)


def test_advance_replacement_is_only_for_the_replacement_period() -> None:
    d = Driver("warranty")
    with pytest.raises(IllegalEvent) as exc:
        d.do("approve_advance")
    assert exc.value.allowed == ["approve", "cancel", "reject", "request_info"]


def test_advance_approval_needs_a_reason() -> None:
    with pytest.raises(Invalid):
        Driver("replacement").do("approve_advance", reason="")


def test_advance_dealer_due_counts_a_sunday_make_up_day() -> None:
    d = advance("2025-09-22 09:00")
    d.run("approve_advance", "ship_replacement")
    # Delivered Thu Sep 25: Fri 26, Sat 27, Sun 28 (make-up working day).
    assert d.do("confirm_delivery", at="2025-09-25 15:00").line.dealer_due_at == end_of_business("2025-09-28")


def test_advance_request_is_recorded_but_staff_decide() -> None:
    line = rma.submit(coverage="replacement", advance=True, at=t("2025-09-29 10:00"), calendar=CAL).line
    assert line.advance is True
    assert "approve" in rma.allowed(line) and "approve_advance" in rma.allowed(line)


# Times and versions


def test_a_step_in_the_future_is_refused() -> None:
    d = Driver()
    with pytest.raises(Invalid) as exc:
        rma.approve(d.line, at=t("2025-09-29 12:00"), now=t("2025-09-29 11:00"), calendar=CAL)
    assert exc.value.extra["field"] == "at"


def test_a_step_before_the_previous_one_is_refused() -> None:
    d = Driver(start="2025-09-29 10:00")
    with pytest.raises(Invalid):
        d.do("approve", at="2025-09-29 09:59")
    assert d.do("approve", at="2025-09-29 10:00").line.version == 2


def test_at_may_be_in_the_past_and_deadlines_count_from_it() -> None:
    d = Driver("warranty", start="2025-09-20 09:00")
    d.do("approve", at="2025-09-22 10:00")
    now = t("2025-10-09 09:00")
    step = rma.receive(d.line, at=t("2025-09-30 17:00"), now=now, calendar=CAL)
    assert step.line.due_at == end_of_business("2025-10-11")
    assert step.at == t("2025-09-30 17:00")


def test_at_defaults_to_now() -> None:
    d = Driver()
    now = t("2025-09-29 15:00")
    step = rma.apply(d.line, "approve", now=now, calendar=CAL)
    assert step.at == step.line.last_event_at == now


def test_naive_times_are_refused() -> None:
    d = Driver()
    with pytest.raises(Invalid):
        rma.approve(d.line, at=datetime(2025, 9, 29, 12, 0), calendar=CAL)
    with pytest.raises(Invalid):
        rma.approve(d.line, calendar=CAL)


def test_a_stale_version_is_refused_with_the_current_one() -> None:
    d = Driver()
    d.do("request_info")
    with pytest.raises(StaleVersion) as exc:
        rma.resubmit(d.line, at=d.clock, calendar=CAL, version=1)
    assert exc.value.version == 2
    assert exc.value.status == 409
    assert rma.resubmit(d.line, at=d.clock, calendar=CAL, version=2).line.version == 3


def test_an_unknown_event_is_illegal_and_names_the_allowed_ones() -> None:
    d = Driver("warranty")
    with pytest.raises(IllegalEvent) as exc:
        d.do("teleport")
    assert exc.value.allowed == ["approve", "cancel", "reject", "request_info"]
    with pytest.raises(IllegalEvent):
        d.do("submit")


def test_an_illegal_event_wins_over_bad_fields() -> None:
    with pytest.raises(IllegalEvent):
        Driver().do("inspect", fault_confirmed="maybe")


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(Invalid) as exc:
        Driver().do("approve", reasn="typo")
    assert exc.value.extra["field"] == "reasn"


def test_shipments_need_carrier_and_tracking() -> None:
    d = Driver()
    d.do("approve")
    with pytest.raises(Invalid):
        d.do("ship_to_centre", tracking="")
    with pytest.raises(Invalid):
        d.do("ship_to_centre", carrier=None)
    step = d.do("ship_to_centre", carrier=" SF ", tracking=" 123 ")
    assert step.data == {"carrier": "SF", "tracking": "123"}


# Overdue and whose move


def test_overdue_is_strictly_after_the_deadline() -> None:
    line = Driver("warranty", start="2025-09-30 10:00").line
    assert line.due_at == end_of_business("2025-10-09")
    assert not rma.overdue(line, end_of_business("2025-10-09"))
    assert rma.overdue(line, end_of_business("2025-10-09") + timedelta(seconds=1))
    assert rma.overdue_party(line, t("2025-10-10")) == "vendor"
    assert rma.overdue_party(line, t("2025-10-01")) == "none"


def test_whose_move_covers_every_state() -> None:
    assert set(rma.WHOSE_MOVE) == set(State)
    assert set(rma.STATE_PATHS) == set(State)
    assert {s for s in State if rma.WHOSE_MOVE[s] == "none"} == {
        State.IN_TRANSIT,
        *rma.FINAL_STATES,
    }


# Snapshots from the database, policy, convenience functions


def test_a_line_accepts_plain_strings_from_the_database() -> None:
    line = Line(
        coverage="replacement",
        state="quoted",  # type: ignore[arg-type]
        path="quote",  # type: ignore[arg-type]
        damage=("cosmetic",),  # type: ignore[arg-type]
        quote_options=("paid_repair",),  # type: ignore[arg-type]
        last_event_at=t("2025-10-10 10:00"),
        dealer_due_at=datetime(2025, 10, 25, 23, 59, 59, tzinfo=SHANGHAI),
        clock_started_at=t("2025-10-10 10:00"),
        version=7,
    )
    assert line.state is State.QUOTED and line.path is Path.QUOTE
    step = rma.confirm_quote(line, at=t("2025-10-11 10:00"), calendar=CAL, choice="paid_repair", version=7)
    assert step.line.version == 8


def test_a_line_with_an_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError):
        Line(coverage="warranty", state="lost")  # type: ignore[arg-type]


def test_policy_numbers_drive_the_deadlines() -> None:
    policy = rma.RmaPolicy(free_repair_ship_wd=5, inspect_wd=1)
    d = Driver("warranty", start="2025-09-29 09:00", policy=policy)
    d.do("approve")
    assert d.do("receive", at="2025-09-30 10:00").line.due_at == end_of_business("2025-10-09")
    # Oct 9, 10, 11, 13, 14.
    assert d.do("inspect", fault_confirmed=True).line.due_at == end_of_business("2025-10-14")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"review_wd": -1},
        {"review_wd": 0},
        {"review_wd": True},
        {"quote_valid_days": 0},
        {"advance_damage_charge_required": 1},
    ],
)
def test_bad_policy_numbers_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        rma.RmaPolicy(**kwargs)  # type: ignore[arg-type]


def test_the_stand_in_calendar_agrees_with_the_real_one_through_spring_festival_2026() -> None:
    # The stand-in's holidays end with Spring Festival 2026; deadlines from Feb 10 reach Mar 4.
    stand_in = WeekCalendar()
    start = t("2025-01-01 12:00")
    for day in range((date(2026, 2, 10) - date(2025, 1, 1)).days + 1):
        at = start + timedelta(days=day)
        for n in (1, 3, 10):
            assert stand_in.due(at, n) == CAL.due(at, n), (at, n)


def test_a_different_weekly_pattern_changes_the_deadlines() -> None:
    monday_to_friday = WeekCalendar(weekdays=frozenset(range(5)))
    step = rma.submit(coverage="warranty", at=t("2025-10-17 10:00"), calendar=monday_to_friday)
    assert step.line.due_at == end_of_business("2025-10-20")


def test_convenience_functions_match_apply() -> None:
    d = received("replacement")
    via_apply = rma.apply(d.line, "inspect", at=d.clock, calendar=CAL, fault_confirmed=True, damage=[])
    via_function = rma.inspect(d.line, at=d.clock, calendar=CAL, fault_confirmed=True)
    assert via_apply == via_function


def test_fields_may_come_as_a_mapping_and_as_keywords() -> None:
    d = received("replacement")
    body: dict[str, object] = {"fault_confirmed": True, "damage": ["cosmetic"]}
    step = rma.apply(d.line, "inspect", at=d.clock, calendar=CAL, fields=body, components=["fan"])
    assert step.data == {"fault_confirmed": True, "damage": (rma.Damage.COSMETIC,), "components": ("fan",)}
    assert step.line.path is Path.QUOTE


def test_every_event_but_submit_has_a_convenience_function_and_field_list() -> None:
    for event in Event:
        if event is Event.SUBMIT:
            continue
        assert callable(getattr(rma, event.value))
        assert event in rma.EVENT_FIELDS
