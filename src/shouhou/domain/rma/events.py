"""One function per event, for callers that prefer `rma.receive(line, at=..., ...)` to `apply`.

Each is `apply` with the event's fields spelled out; see `apply` for what they raise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from shouhou.domain.rma.machine import apply
from shouhou.domain.rma.model import DEFAULT_POLICY, Event, Line, RmaPolicy, Step, WorkCalendar

__all__ = [
    "approve",
    "approve_advance",
    "cancel",
    "charge",
    "close",
    "complete_repair",
    "confirm_delivery",
    "confirm_quote",
    "decline_quote",
    "inspect",
    "receive",
    "reject",
    "request_info",
    "resubmit",
    "send_quote",
    "ship_back",
    "ship_repaired",
    "ship_replacement",
    "ship_to_centre",
]


def approve(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
) -> Step:
    """Authorise the return (同意返厂检测): the dealer sends the unit.

    A line whose unit is already at the centre (`on_site`, an unannounced receipt) goes straight to
    received, its deadlines counted from this approval.
    """
    return apply(line, Event.APPROVE, at=at, now=now, calendar=calendar, policy=policy, version=version)


def approve_advance(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    reason: str,
) -> Step:
    """Authorise an advance replacement: the new unit ships within 1 WD."""
    return apply(
        line,
        Event.APPROVE_ADVANCE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        reason=reason,
    )


def request_info(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    message: str,
) -> Step:
    """Ask the dealer to complete the form; the review clock stops."""
    return apply(
        line,
        Event.REQUEST_INFO,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        message=message,
    )


def resubmit(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
) -> Step:
    """The dealer resubmits the completed form; review due in 1 WD again."""
    return apply(line, Event.RESUBMIT, at=at, now=now, calendar=calendar, policy=policy, version=version)


def reject(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    reason: str,
) -> Step:
    """Refuse the form with a reason; final."""
    return apply(line, Event.REJECT, at=at, now=now, calendar=calendar, policy=policy, version=version, reason=reason)


def ship_to_centre(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    carrier: str,
    tracking: str,
) -> Step:
    """The dealer sends the unit to the service centre."""
    return apply(
        line,
        Event.SHIP_TO_CENTRE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        carrier=carrier,
        tracking=tracking,
    )


def receive(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    condition: str = "",
) -> Step:
    """The centre receives the unit; deadlines count from the receipt."""
    return apply(
        line,
        Event.RECEIVE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        condition=condition,
    )


def inspect(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    fault_confirmed: bool,
    damage: Sequence[str] = (),
    components: Sequence[str] = (),
) -> Step:
    """Record the findings; decides the path from coverage and findings."""
    return apply(
        line,
        Event.INSPECT,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        fault_confirmed=fault_confirmed,
        damage=damage,
        components=components,
    )


def send_quote(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    items: Sequence[Mapping[str, object]],
    options: Sequence[str] | None = None,
    valid_days: int | None = None,
) -> Step:
    """Send the dealer a quote; the dealer's clock runs until it expires."""
    return apply(
        line,
        Event.SEND_QUOTE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        items=items,
        options=options,
        valid_days=valid_days,
    )


def confirm_quote(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    choice: str,
) -> Step:
    """The dealer accepts the quote with one of its options."""
    return apply(
        line,
        Event.CONFIRM_QUOTE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        choice=choice,
    )


def decline_quote(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    scrap: bool = False,
) -> Step:
    """The dealer declines: the unit goes back unrepaired, or is scrapped."""
    return apply(
        line,
        Event.DECLINE_QUOTE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        scrap=scrap,
    )


def ship_replacement(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    carrier: str,
    tracking: str,
    replacement_serial: str,
) -> Step:
    """Ship a new unit to the dealer."""
    return apply(
        line,
        Event.SHIP_REPLACEMENT,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        carrier=carrier,
        tracking=tracking,
        replacement_serial=replacement_serial,
    )


def ship_repaired(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    carrier: str,
    tracking: str,
) -> Step:
    """Ship the repaired unit back."""
    return apply(
        line,
        Event.SHIP_REPAIRED,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        carrier=carrier,
        tracking=tracking,
    )


def ship_back(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    carrier: str,
    tracking: str,
) -> Step:
    """Ship the unit back as it is (no fault, declined quote, or no best effort)."""
    return apply(
        line,
        Event.SHIP_BACK,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        carrier=carrier,
        tracking=tracking,
    )


def confirm_delivery(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
) -> Step:
    """The dealer confirms receipt of what the vendor shipped."""
    return apply(line, Event.CONFIRM_DELIVERY, at=at, now=now, calendar=calendar, policy=policy, version=version)


def complete_repair(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    parts: Sequence[str] = (),
    result: str,
) -> Step:
    """Record the repair: parts used and the result."""
    return apply(
        line,
        Event.COMPLETE_REPAIR,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        parts=parts,
        result=result,
    )


def charge(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    amount: Decimal | int | str,
    reason: str,
) -> Step:
    """Bill damage found on an advance replacement's returned unit (billed afterwards)."""
    return apply(
        line,
        Event.CHARGE,
        at=at,
        now=now,
        calendar=calendar,
        policy=policy,
        version=version,
        amount=amount,
        reason=reason,
    )


def close(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
) -> Step:
    """Close the line."""
    return apply(line, Event.CLOSE, at=at, now=now, calendar=calendar, policy=policy, version=version)


def cancel(
    line: Line,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    reason: str,
) -> Step:
    """Withdraw the line before any unit has moved."""
    return apply(line, Event.CANCEL, at=at, now=now, calendar=calendar, policy=policy, version=version, reason=reason)
