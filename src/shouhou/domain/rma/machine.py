"""The transitions of one unit line: guards, effects on the line, deadlines (DESIGN §2, §6).

Every event has a guard (`allowed` is exactly the events whose guard passes) and a handler
that may only fail on its fields, so "allowed" and "succeeds" can never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, cast

from shouhou.domain.errors import IllegalEvent, Invalid, StaleVersion
from shouhou.domain.rma.fields import validate_fields
from shouhou.domain.rma.model import (
    DEALER_EVENTS,
    DEFAULT_POLICY,
    LINE_FIELDS,
    REPLACEMENT_PATHS,
    WHOSE_MOVE,
    Damage,
    Effect,
    Event,
    Line,
    Party,
    Path,
    RmaPolicy,
    State,
    Step,
    WorkCalendar,
)

__all__ = [
    "actor_may",
    "allowed",
    "allowed_for",
    "apply",
    "free_repair_scope",
    "overdue",
    "overdue_party",
    "quote_choices",
    "replacement_terms_met",
    "submit",
    "whose_move",
]

# Damage that takes a warranty unit out of the free-repair scope (免费维修范围): the unit was
# mistreated. Missing parts and cosmetic marks do not stop a free repair of the fault.
FREE_REPAIR_EXCLUDES: Final = frozenset({Damage.PHYSICAL, Damage.LIQUID, Damage.BURN, Damage.TAMPERED})

# Before approval the dealer may still withdraw; staff may cancel until a unit has moved.
_DEALER_CANCEL_STATES: Final = frozenset({State.SUBMITTED, State.INFO_REQUESTED})
_CANCEL_STATES: Final = _DEALER_CANCEL_STATES | {State.APPROVED, State.ADVANCE_APPROVED}

END_OF_DAY: Final = time(23, 59, 59)


def replacement_terms_met(*, fault_confirmed: bool, damage: tuple[Damage, ...]) -> bool:
    """包换服务条款: the fault is confirmed and nothing is damaged, in any category."""
    return fault_confirmed and not damage


def free_repair_scope(*, fault_confirmed: bool, damage: tuple[Damage, ...]) -> bool:
    """免费维修范围: the fault is confirmed and the unit was not mistreated."""
    return fault_confirmed and not FREE_REPAIR_EXCLUDES.intersection(damage)


def quote_choices(line: Line) -> tuple[Path, ...]:
    """What a quote may offer: paid replacement only inside the replacement period."""
    if line.path is Path.QUOTE and line.coverage == "replacement":
        return (Path.PAID_REPLACEMENT, Path.PAID_REPAIR)
    return (Path.PAID_REPAIR,)


def _awaiting_charge(line: Line) -> bool:
    return line.charge_required and line.charge_amount is None


_GUARDS: Final[dict[Event, Callable[[Line], bool]]] = {
    Event.APPROVE: lambda line: line.state is State.SUBMITTED,
    # An advance replacement ships a new unit before the faulty one comes back: pointless when
    # the faulty unit is already at the centre.
    Event.APPROVE_ADVANCE: lambda line: (
        line.state is State.SUBMITTED and line.coverage == "replacement" and not line.on_site
    ),
    Event.REQUEST_INFO: lambda line: line.state is State.SUBMITTED,
    Event.RESUBMIT: lambda line: line.state is State.INFO_REQUESTED,
    Event.REJECT: lambda line: line.state in (State.SUBMITTED, State.INFO_REQUESTED),
    Event.SHIP_TO_CENTRE: lambda line: line.state in (State.APPROVED, State.AWAITING_RETURN),
    # Receipt without a recorded shipment is common (the dealer just sends it): allowed.
    Event.RECEIVE: lambda line: line.state in (State.APPROVED, State.AWAITING_RETURN, State.IN_TRANSIT),
    Event.INSPECT: lambda line: line.state is State.RECEIVED,
    Event.SEND_QUOTE: lambda line: line.state in (State.QUOTING, State.QUOTED),
    Event.CONFIRM_QUOTE: lambda line: line.state is State.QUOTED,
    Event.DECLINE_QUOTE: lambda line: line.state is State.QUOTED,
    Event.SHIP_REPLACEMENT: lambda line: line.state in (State.ADVANCE_APPROVED, State.REPLACING),
    Event.SHIP_REPAIRED: lambda line: line.state is State.REPAIRED,
    Event.SHIP_BACK: lambda line: (
        line.state is State.RETURNING or (line.state is State.QUOTING and line.path is Path.BEST_EFFORT)
    ),
    Event.CONFIRM_DELIVERY: lambda line: line.state in (State.REPLACEMENT_SHIPPED, State.SHIPPED),
    Event.COMPLETE_REPAIR: lambda line: line.state is State.REPAIRING,
    Event.CHARGE: lambda line: line.state is State.INSPECTED and line.charge_amount is None,
    Event.CLOSE: lambda line: (
        line.state in (State.SHIPPED, State.SCRAPPING) or (line.state is State.INSPECTED and not _awaiting_charge(line))
    ),
    Event.CANCEL: lambda line: line.state in _CANCEL_STATES,
}


def allowed(line: Line) -> tuple[Event, ...]:
    """The events that would succeed on `line` with valid fields, in declaration order."""
    return tuple(event for event, guard in _GUARDS.items() if guard(line))


def whose_move(line: Line) -> Party:
    """Who owes the next step: "vendor", "dealer" or "none" (in transit, or final)."""
    return WHOSE_MOVE[line.state]


def actor_may(role: str, event: str, *, state: str | None = None) -> bool:
    """Whether a user of `role` may apply `event` (DESIGN §6), so the API can answer 403.

    Staff roles may apply every event, the dealer's on the dealer's behalf. A dealer may apply
    `DEALER_EVENTS`, and `cancel` only before approval: pass the line's `state` for that
    answer; without it, `cancel` answers whether a dealer may ever cancel (yes).
    """
    if role != "dealer":
        return True
    if event not in DEALER_EVENTS:
        return False
    if event == Event.CANCEL and state is not None:
        return state in _DEALER_CANCEL_STATES
    return True


def allowed_for(line: Line, role: str) -> tuple[Event, ...]:
    """The events `role` may apply to `line` now: the API's `allowed` for that caller."""
    return tuple(e for e in allowed(line) if actor_may(role, e, state=line.state))


def overdue_party(line: Line, now: datetime) -> Party:
    """Who is late at `now`: "vendor", "dealer", or "none"."""
    if line.due_at is not None and now > line.due_at:
        return "vendor"
    if line.dealer_due_at is not None and now > line.dealer_due_at:
        return "dealer"
    return "none"


def overdue(line: Line, now: datetime) -> bool:
    """Whether the live deadline, the vendor's or the dealer's, has passed at `now`."""
    return overdue_party(line, now) != "none"


# Handlers


@dataclass(frozen=True, slots=True)
class _Context:
    at: datetime
    calendar: WorkCalendar
    policy: RmaPolicy
    data: Mapping[str, object]

    def vendor_clock(self, start: datetime, working_days: int) -> dict[str, object]:
        """The vendor owes the next step within `working_days` of `start`."""
        return {
            "due_at": self.calendar.due(start, working_days),
            "dealer_due_at": None,
            "clock_started_at": start,
        }

    def dealer_clock(self, due: datetime) -> dict[str, object]:
        return {"due_at": None, "dealer_due_at": due, "clock_started_at": self.at}


NO_CLOCK: Final[dict[str, object]] = {"due_at": None, "dealer_due_at": None, "clock_started_at": None}

Changes = tuple[dict[str, object], tuple[Effect, ...]]


def _approve(line: Line, c: _Context) -> Changes:
    if line.on_site:
        # Units that arrive without an approved form (DESIGN §2): the delay was the dealer's, so
        # no vendor clock ran while the parcel waited. The line goes straight to received and
        # every deadline that counts from receipt counts from the approval instead.
        return (
            {"state": State.RECEIVED, "received_at": c.at, **c.vendor_clock(c.at, c.policy.inspect_wd)},
            (Effect.RETURN_AUTHORISATION,),
        )
    # No deadline for the dealer to send the unit: the policy sets none, and a clock that only
    # nags the dealer would make "overdue" mean nothing. The order simply waits.
    return {"state": State.APPROVED, **NO_CLOCK}, (Effect.RETURN_AUTHORISATION,)


def _approve_advance(line: Line, c: _Context) -> Changes:
    return (
        {
            "state": State.ADVANCE_APPROVED,
            "path": Path.ADVANCE_REPLACEMENT,
            **c.vendor_clock(c.at, c.policy.advance_ship_wd),
        },
        (Effect.RETURN_AUTHORISATION,),
    )


def _request_info(line: Line, c: _Context) -> Changes:
    return {"state": State.INFO_REQUESTED, **NO_CLOCK}, (Effect.INFO_REQUEST,)


def _resubmit(line: Line, c: _Context) -> Changes:
    return {"state": State.SUBMITTED, **c.vendor_clock(c.at, c.policy.review_wd)}, ()


def _reject(line: Line, c: _Context) -> Changes:
    return {"state": State.REJECTED, "path": Path.REJECTED, **NO_CLOCK}, (Effect.REJECTION_NOTICE,)


def _cancel(line: Line, c: _Context) -> Changes:
    return {"state": State.CANCELLED, "path": Path.CANCELLED, **NO_CLOCK}, (Effect.CANCELLATION_NOTICE,)


def _ship_to_centre(line: Line, c: _Context) -> Changes:
    # Sending the faulty unit meets the dealer's advance-replacement deadline ("发回"): the
    # carrier's time is not the dealer's fault, so no clock runs while in transit.
    return {"state": State.IN_TRANSIT, **NO_CLOCK}, ()


def _receive(line: Line, c: _Context) -> Changes:
    return (
        {"state": State.RECEIVED, "received_at": c.at, **c.vendor_clock(c.at, c.policy.inspect_wd)},
        (),
    )


def _inspect(line: Line, c: _Context) -> Changes:
    fault = bool(c.data["fault_confirmed"])
    damage = cast(tuple[Damage, ...], c.data["damage"])
    received = line.received_at
    assert received is not None  # noqa: S101  (set by receive, the only way into RECEIVED)
    p = c.policy
    findings: dict[str, object] = {"fault_confirmed": fault, "damage": damage}
    if line.path is Path.ADVANCE_REPLACEMENT:
        # The new unit is already out; what is left is billing damage and closing.
        required = bool(damage) and p.advance_damage_charge_required
        return (
            {
                **findings,
                "state": State.INSPECTED,
                "charge_required": required,
                **c.vendor_clock(received, p.inspect_wd),
            },
            (),
        )
    if not fault:
        state, path, wd = State.RETURNING, Path.NO_FAULT_FOUND, p.no_fault_return_wd
    elif line.coverage == "replacement":
        if replacement_terms_met(fault_confirmed=fault, damage=damage):
            state, path, wd = State.REPLACING, Path.FREE_REPLACEMENT, p.replacement_ship_wd
        else:
            state, path, wd = State.QUOTING, Path.QUOTE, p.quote_contact_wd
    elif line.coverage == "warranty":
        if free_repair_scope(fault_confirmed=fault, damage=damage):
            state, path, wd = State.REPAIRING, Path.FREE_REPAIR, p.free_repair_ship_wd
        else:
            state, path, wd = State.QUOTING, Path.QUOTE, p.quote_contact_wd
    elif line.coverage == "out_of_warranty":
        state, path, wd = State.QUOTING, Path.QUOTE, p.quote_contact_wd
    else:  # discontinued: repair not guaranteed
        state, path, wd = State.QUOTING, Path.BEST_EFFORT, p.best_effort_contact_wd
    return {**findings, "state": state, "path": path, **c.vendor_clock(received, wd)}, ()


def quote_totals(items: Sequence[Mapping[str, Any]], options: Sequence[str]) -> dict[str, Decimal]:
    """The total of each option a quote offers: its own items plus the items naming no option."""
    return {str(option): sum((Decimal(str(i["amount"])) for i in items
                              if i.get("option") in (None, "", option)), Decimal("0.00"))
            for option in options}


def _quote_end(c: _Context, valid_days: int) -> datetime:
    """End of validity: 23:59:59 local on the `valid_days`-th calendar day after sending."""
    local = c.at.astimezone(c.calendar.tz)
    return datetime.combine(local.date() + timedelta(days=valid_days), END_OF_DAY, tzinfo=c.calendar.tz)


def _send_quote(line: Line, c: _Context) -> Changes:
    choices = quote_choices(line)
    options = cast(tuple[Path, ...] | None, c.data["options"]) or choices
    if not set(options) <= set(choices):
        raise Invalid(f"this quote may only offer {', '.join(choices)}", reason="options_not_offered", field="options",
                      options=", ".join(choices))
    named = {item["option"] for item in cast(list[dict[str, Any]], c.data["items"]) if "option" in item}
    if not named <= set(options):
        raise Invalid("an item names an option the quote does not offer", reason="options_not_offered",
                      field="items", options=", ".join(options))
    valid_days = cast(int | None, c.data["valid_days"])
    if valid_days is None:
        valid_days = c.policy.quote_valid_days
    if not 1 <= valid_days <= c.policy.max_quote_valid_days:
        raise Invalid(f"valid_days must be between 1 and {c.policy.max_quote_valid_days}", reason="out_of_range",
                      field="valid_days", max=c.policy.max_quote_valid_days)
    return (
        {
            "state": State.QUOTED,
            "quote_options": options,
            **c.dealer_clock(_quote_end(c, valid_days)),
        },
        (Effect.QUOTE,),
    )


def _confirm_quote(line: Line, c: _Context) -> Changes:
    choice = c.data["choice"]
    if choice not in line.quote_options:
        raise Invalid(f"the quote offers {', '.join(line.quote_options)}", reason="choice_not_offered", field="choice")
    if line.dealer_due_at is not None and c.at > line.dealer_due_at:
        # Prices may have moved: staff send a new quote (allowed in this state) instead.
        raise Invalid("the quote has expired; ask for a new one", reason="quote_expired", field="at")
    if choice is Path.PAID_REPLACEMENT:
        state, wd = State.REPLACING, c.policy.paid_replacement_ship_wd
    else:
        state, wd = State.REPAIRING, c.policy.paid_repair_ship_wd
    return {"state": state, "path": choice, **c.vendor_clock(c.at, wd)}, ()


def _decline_quote(line: Line, c: _Context) -> Changes:
    # The policy sets no deadline here. Sending the unit back unrepaired is the same work as
    # for no-fault units (3 WD), counted from the decline: before it the vendor could not act.
    scrap = bool(c.data["scrap"])
    return (
        {
            "state": State.SCRAPPING if scrap else State.RETURNING,
            "path": Path.RETURN_UNREPAIRED,
            "scrap": scrap,
            **c.vendor_clock(c.at, c.policy.unrepaired_return_wd),
        },
        (),
    )


def _ship_out(line: Line, c: _Context) -> Changes:
    if line.state is State.ADVANCE_APPROVED:
        # Whether the new unit arrived is the dealer's to say; no one's deadline until then.
        return {"state": State.REPLACEMENT_SHIPPED, **NO_CLOCK}, (Effect.SHIPMENT_NOTICE,)
    return {"state": State.SHIPPED, **NO_CLOCK}, (Effect.SHIPMENT_NOTICE,)


def _confirm_delivery(line: Line, c: _Context) -> Changes:
    if line.state is State.REPLACEMENT_SHIPPED:
        due = c.calendar.due(c.at, c.policy.faulty_return_wd)
        return {"state": State.AWAITING_RETURN, "delivered_at": c.at, **c.dealer_clock(due)}, ()
    return {"state": State.CLOSED, "delivered_at": c.at, **NO_CLOCK}, ()


def _complete_repair(line: Line, c: _Context) -> Changes:
    return {"state": State.REPAIRED}, ()


def _charge(line: Line, c: _Context) -> Changes:
    amount = cast(Decimal, c.data["amount"])
    return {"charge_amount": amount}, (Effect.BACK_CHARGE,)


def _close(line: Line, c: _Context) -> Changes:
    return {"state": State.CLOSED, **NO_CLOCK}, ()


_HANDLERS: Final[dict[Event, Callable[[Line, _Context], Changes]]] = {
    Event.APPROVE: _approve,
    Event.APPROVE_ADVANCE: _approve_advance,
    Event.REQUEST_INFO: _request_info,
    Event.RESUBMIT: _resubmit,
    Event.REJECT: _reject,
    Event.SHIP_TO_CENTRE: _ship_to_centre,
    Event.RECEIVE: _receive,
    Event.INSPECT: _inspect,
    Event.SEND_QUOTE: _send_quote,
    Event.CONFIRM_QUOTE: _confirm_quote,
    Event.DECLINE_QUOTE: _decline_quote,
    Event.SHIP_REPLACEMENT: _ship_out,
    Event.SHIP_REPAIRED: _ship_out,
    Event.SHIP_BACK: _ship_out,
    Event.CONFIRM_DELIVERY: _confirm_delivery,
    Event.COMPLETE_REPAIR: _complete_repair,
    Event.CHARGE: _charge,
    Event.CLOSE: _close,
    Event.CANCEL: _cancel,
}


def sheet_due(line: Line) -> bool:
    """The repair tracking sheet goes out once a returned unit is inspected on a replacement path.

    On free and advance replacement that is the inspection itself; on a paid replacement it is
    the dealer's choice of replacement, since until then the quote carries the findings.
    """
    return line.path in REPLACEMENT_PATHS and line.fault_confirmed is not None


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{name} must be a date and time with a time zone", reason="naive_time", field=name)
    return value


def _check_time(line: Line | None, at: datetime | None, now: datetime | None) -> datetime:
    """Resolve `at` (default `now`) and refuse a future step or one out of order."""
    if at is None and now is None:
        raise Invalid("at or now is required", reason="required", field="at")
    if now is not None:
        now = _aware(now, "now")
    at = _aware(at, "at") if at is not None else now
    assert at is not None  # noqa: S101  (an invariant, for the type checker)
    if now is not None and at > now:
        raise Invalid("at is in the future", reason="in_future", field="at")
    if line is not None and line.last_event_at is not None and at < line.last_event_at:
        raise Invalid(f"at is before the line's previous step ({line.last_event_at.isoformat()})",
                      reason="before_previous", field="at", previous=line.last_event_at.isoformat())
    return at


def submit(
    *,
    coverage: str,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    advance: bool = False,
) -> Step:
    """Create a line from a submitted service form: version 1, review due in 1 WD.

    `advance` records that the dealer asked for an advance replacement; staff decide at review
    (`approve_advance`, only inside the replacement period). Raises Invalid.
    """
    at = _check_time(None, at, now)
    if not isinstance(advance, bool):
        raise Invalid("advance must be true or false", reason="not_bool", field="advance")
    line = Line(
        coverage=coverage,
        advance=advance,
        due_at=calendar.due(at, policy.review_wd),
        clock_started_at=at,
        last_event_at=at,
    )
    changed = tuple(name for name in LINE_FIELDS if name != "version")
    return Step(
        event=Event.SUBMIT,
        at=at,
        line=line,
        changed=changed,
        data={"coverage": line.coverage, "advance": advance},
    )


def apply(
    line: Line,
    event: str,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    calendar: WorkCalendar,
    policy: RmaPolicy = DEFAULT_POLICY,
    version: int | None = None,
    fields: Mapping[str, object] | None = None,
    **more_fields: object,
) -> Step:
    """Apply `event` with its fields to `line` at `at` (default `now`) and return the Step.

    Fields come as keywords (`condition="..."`) or, from a parsed request body, as the
    `fields` mapping; both may be used. `version`, when given, must be the line's: an update
    based on an old read raises StaleVersion. Raises IllegalEvent (naming the allowed events)
    when the state does not allow the event, Invalid for bad fields or a time in the future or
    before the previous step. `now` is the real clock; without it `at` cannot be checked
    against the future.
    """
    if version is not None and version != line.version:
        raise StaleVersion(f"the line is at version {line.version}, not {version}", version=line.version)
    permitted = allowed(line)
    try:
        ev = Event(event)
    except ValueError:
        raise IllegalEvent(f"unknown event {event!r}", allowed=permitted, reason="unknown_event",
                           event=str(event)) from None
    if ev not in permitted:
        raise IllegalEvent(f"{ev} is not allowed when the line is {line.state}", allowed=permitted, event=str(ev),
                           state=str(line.state))
    at = _check_time(line, at, now)
    data = validate_fields(ev, {**(fields or {}), **more_fields})
    changes, effects = _HANDLERS[ev](line, _Context(at=at, calendar=calendar, policy=policy, data=data))
    # `changes` is keyed by Line's own field names, set only by the handlers above.
    new = replace(line, **changes, last_event_at=at, version=line.version + 1)  # type: ignore[arg-type]
    if sheet_due(new) and not sheet_due(line):
        effects = (*effects, Effect.REPAIR_TRACKING_SHEET)
    changed = tuple(name for name in LINE_FIELDS if name != "version" and getattr(line, name) != getattr(new, name))
    return Step(event=ev, at=at, line=new, changed=changed, effects=effects, data=dict(data))
