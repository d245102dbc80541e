"""Vocabulary of the RMA state machine: states, paths, events, the policy and the line snapshot.

Kept apart from the transitions so that the Django layer can import the names (for
`TextChoices`, filters and badges) without pulling in the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Final, Literal, Protocol

from shouhou.domain.errors import Invalid

__all__ = [
    "COVERAGES",
    "DEALER_EVENTS",
    "DEFAULT_POLICY",
    "EFFECTS",
    "FINAL_STATES",
    "REPLACEMENT_PATHS",
    "STATE_PATHS",
    "WHOSE_MOVE",
    "Damage",
    "Effect",
    "Event",
    "Line",
    "Party",
    "Path",
    "RmaPolicy",
    "State",
    "Step",
    "WorkCalendar",
]


class WorkCalendar(Protocol):
    """What the machine needs from `shouhou.domain.calendar.WorkCalendar`.

    `due(at, n)` is "within n working days of `at`" (DESIGN §2); `tz` is the local time zone in
    which quote validity ends at 23:59:59.
    """

    @property
    def tz(self) -> tzinfo: ...

    def due(self, start: datetime, n: int) -> datetime: ...


class State(StrEnum):
    """Where one unit line stands; the values are the API's `state` strings."""

    SUBMITTED = "submitted"  # waiting for review (vendor)
    INFO_REQUESTED = "info_requested"  # dealer must complete the form and resubmit
    APPROVED = "approved"  # return authorised; dealer sends the unit
    ADVANCE_APPROVED = "advance_approved"  # vendor ships the new unit first
    REPLACEMENT_SHIPPED = "replacement_shipped"  # advance: new unit on its way to the dealer
    AWAITING_RETURN = "awaiting_return"  # advance: dealer owes the faulty unit
    IN_TRANSIT = "in_transit"  # unit on its way to the service centre
    RECEIVED = "received"  # at the centre, waiting for inspection
    INSPECTED = "inspected"  # advance: returned unit inspected; charge and/or close
    QUOTING = "quoting"  # vendor owes the dealer a quote (or, best effort, the unit back)
    QUOTED = "quoted"  # dealer confirms or declines the quote
    REPAIRING = "repairing"  # vendor repairs
    REPAIRED = "repaired"  # repaired, vendor ships it
    REPLACING = "replacing"  # vendor ships a new unit
    RETURNING = "returning"  # vendor ships the unit back as it is
    SCRAPPING = "scrapping"  # dealer asked to scrap the unit; vendor scraps and closes
    SHIPPED = "shipped"  # sent to the dealer; dealer confirms or staff close
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Path(StrEnum):
    """How the line is handled; None until decided. Values are the API's `path` strings."""

    FREE_REPLACEMENT = "free_replacement"
    FREE_REPAIR = "free_repair"
    QUOTE = "quote"
    PAID_REPLACEMENT = "paid_replacement"
    PAID_REPAIR = "paid_repair"
    ADVANCE_REPLACEMENT = "advance_replacement"
    NO_FAULT_FOUND = "no_fault_found"
    RETURN_UNREPAIRED = "return_unrepaired"
    BEST_EFFORT = "best_effort"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Event(StrEnum):
    """What can happen to a line; the values are the API's `{event}` path segments."""

    SUBMIT = "submit"
    APPROVE = "approve"
    APPROVE_ADVANCE = "approve_advance"
    REQUEST_INFO = "request_info"
    RESUBMIT = "resubmit"
    REJECT = "reject"
    SHIP_TO_CENTRE = "ship_to_centre"
    RECEIVE = "receive"
    INSPECT = "inspect"
    SEND_QUOTE = "send_quote"
    CONFIRM_QUOTE = "confirm_quote"
    DECLINE_QUOTE = "decline_quote"
    SHIP_REPLACEMENT = "ship_replacement"
    SHIP_REPAIRED = "ship_repaired"
    SHIP_BACK = "ship_back"
    CONFIRM_DELIVERY = "confirm_delivery"
    COMPLETE_REPAIR = "complete_repair"
    CHARGE = "charge"
    CLOSE = "close"
    CANCEL = "cancel"


class Damage(StrEnum):
    """Damage categories found at inspection; any of them breaks the replacement terms."""

    PHYSICAL = "physical"
    LIQUID = "liquid"
    BURN = "burn"
    TAMPERED = "tampered"
    MISSING_PARTS = "missing_parts"
    COSMETIC = "cosmetic"


class Effect(StrEnum):
    """Side effects a step asks the service layer for (mail, documents, billing).

    The domain only names them; the service layer queues them on commit.
    """

    RETURN_AUTHORISATION = "return_authorisation"  # RMA number + "同意返厂检测" with instructions
    INFO_REQUEST = "info_request"  # mail the dealer what is missing
    REJECTION_NOTICE = "rejection_notice"
    CANCELLATION_NOTICE = "cancellation_notice"
    QUOTE = "quote"  # the quote mail, which the dealer may answer to confirm
    SHIPMENT_NOTICE = "shipment_notice"  # carrier and tracking to the dealer
    REPAIR_TRACKING_SHEET = "repair_tracking_sheet"  # 返修跟踪单 PDF to the dealer
    BACK_CHARGE = "back_charge"  # bill the dealer afterwards (advance replacement damage)


EFFECTS: Final = tuple(Effect)

Party = Literal["vendor", "dealer", "none"]

COVERAGES: Final = ("replacement", "warranty", "out_of_warranty", "discontinued")

FINAL_STATES: Final = frozenset({State.CLOSED, State.REJECTED, State.CANCELLED})

REPLACEMENT_PATHS: Final = frozenset({Path.FREE_REPLACEMENT, Path.PAID_REPLACEMENT, Path.ADVANCE_REPLACEMENT})

# Whose move it is in each state, for the UI ("what must the dealer do next") and for the
# clock invariant: the vendor's deadline is live exactly when the move is the vendor's.
# `in_transit` is nobody's: the carrier has the unit and no one owes a step by a deadline.
WHOSE_MOVE: Final[dict[State, Party]] = {
    State.SUBMITTED: "vendor",
    State.INFO_REQUESTED: "dealer",
    State.APPROVED: "dealer",
    State.ADVANCE_APPROVED: "vendor",
    State.REPLACEMENT_SHIPPED: "dealer",
    State.AWAITING_RETURN: "dealer",
    State.IN_TRANSIT: "none",
    State.RECEIVED: "vendor",
    State.INSPECTED: "vendor",
    State.QUOTING: "vendor",
    State.QUOTED: "dealer",
    State.REPAIRING: "vendor",
    State.REPAIRED: "vendor",
    State.REPLACING: "vendor",
    State.RETURNING: "vendor",
    State.SCRAPPING: "vendor",
    State.SHIPPED: "dealer",
    State.CLOSED: "none",
    State.REJECTED: "none",
    State.CANCELLED: "none",
}

_NORMAL_PATHS: Final = frozenset({Path.FREE_REPLACEMENT, Path.FREE_REPAIR, Path.PAID_REPLACEMENT, Path.PAID_REPAIR})

# The paths a line may have in each state: the consistency invariant of the property tests,
# and a check the Django layer can reuse as a database constraint.
STATE_PATHS: Final[dict[State, frozenset[Path | None]]] = {
    State.SUBMITTED: frozenset({None}),
    State.INFO_REQUESTED: frozenset({None}),
    State.APPROVED: frozenset({None}),
    State.ADVANCE_APPROVED: frozenset({Path.ADVANCE_REPLACEMENT}),
    State.REPLACEMENT_SHIPPED: frozenset({Path.ADVANCE_REPLACEMENT}),
    State.AWAITING_RETURN: frozenset({Path.ADVANCE_REPLACEMENT}),
    State.IN_TRANSIT: frozenset({None, Path.ADVANCE_REPLACEMENT}),
    State.RECEIVED: frozenset({None, Path.ADVANCE_REPLACEMENT}),
    State.INSPECTED: frozenset({Path.ADVANCE_REPLACEMENT}),
    State.QUOTING: frozenset({Path.QUOTE, Path.BEST_EFFORT}),
    State.QUOTED: frozenset({Path.QUOTE, Path.BEST_EFFORT}),
    State.REPAIRING: frozenset({Path.FREE_REPAIR, Path.PAID_REPAIR}),
    State.REPAIRED: frozenset({Path.FREE_REPAIR, Path.PAID_REPAIR}),
    State.REPLACING: frozenset({Path.FREE_REPLACEMENT, Path.PAID_REPLACEMENT}),
    State.RETURNING: frozenset({Path.NO_FAULT_FOUND, Path.RETURN_UNREPAIRED}),
    State.SCRAPPING: frozenset({Path.RETURN_UNREPAIRED}),
    State.SHIPPED: _NORMAL_PATHS | {Path.NO_FAULT_FOUND, Path.RETURN_UNREPAIRED, Path.BEST_EFFORT},
    State.CLOSED: _NORMAL_PATHS
    | {Path.NO_FAULT_FOUND, Path.RETURN_UNREPAIRED, Path.BEST_EFFORT, Path.ADVANCE_REPLACEMENT},
    State.REJECTED: frozenset({Path.REJECTED}),
    State.CANCELLED: frozenset({Path.CANCELLED}),
}

# Events a dealer may apply to its own lines (DESIGN §6); staff may apply every event.
# `cancel` only before approval: see `actor_may`.
DEALER_EVENTS: Final = frozenset(
    {
        Event.RESUBMIT,
        Event.SHIP_TO_CENTRE,
        Event.CONFIRM_QUOTE,
        Event.DECLINE_QUOTE,
        Event.CONFIRM_DELIVERY,
        Event.CANCEL,
    }
)


@dataclass(frozen=True, slots=True)
class RmaPolicy:
    """The vendor's deadlines in working days (WD) and quote validity in calendar days.

    Defaults are the default policy pack (DESIGN §2). Two numbers are Shouhou's own where the
    policy is silent: `inspect_wd` (a received unit is inspected, and on an advance replacement
    the charge settled, within the shortest outcome deadline, so every outcome deadline can still
    be met) and `unrepaired_return_wd` (a declined quote is shipped back or scrapped within the
    same 3 WD the policy gives for sending back a no-fault unit: the same physical work).
    """

    review_wd: int = 1
    advance_ship_wd: int = 1
    faulty_return_wd: int = 3
    inspect_wd: int = 3
    replacement_ship_wd: int = 3
    quote_contact_wd: int = 3
    paid_replacement_ship_wd: int = 3
    paid_repair_ship_wd: int = 10
    free_repair_ship_wd: int = 10
    no_fault_return_wd: int = 3
    best_effort_contact_wd: int = 3
    unrepaired_return_wd: int = 3
    quote_valid_days: int = 15
    max_quote_valid_days: int = 366
    # Damage found on an advance replacement's returned unit must be billed before closing
    # ("我司将追收相关维修费用"); False makes the charge optional.
    advance_damage_charge_required: bool = True

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "advance_damage_charge_required":
                if not isinstance(value, bool):
                    raise Invalid(f"{f.name} must be true or false", field=f.name)
                continue
            # "Within 0 working days" would fall before the event itself after closing time.
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise Invalid(f"{f.name} must be a whole number of 1 or more", field=f.name)
        if not 1 <= self.quote_valid_days <= self.max_quote_valid_days:
            raise Invalid("quote_valid_days must be between 1 and max_quote_valid_days", field="quote_valid_days")


DEFAULT_POLICY: Final = RmaPolicy()


@dataclass(frozen=True, slots=True)
class Line:
    """A snapshot of one unit line of a service order, as the machine needs it.

    `coverage` is fixed on the report date (DESIGN §2) and never changes. `due_at` is what the
    vendor owes now, `dealer_due_at` what the dealer owes now; `clock_started_at` is the event
    the live one counts from. `last_event_at` orders events: a step may not be dated before it.
    Findings (`fault_confirmed`, `damage`) and `quote_options` are kept because later steps
    depend on them; carriers, trackings, texts and amounts belong to the timeline, not here.
    """

    coverage: str
    state: State = State.SUBMITTED
    path: Path | None = None
    advance: bool = False
    due_at: datetime | None = None
    dealer_due_at: datetime | None = None
    clock_started_at: datetime | None = None
    last_event_at: datetime | None = None
    received_at: datetime | None = None
    delivered_at: datetime | None = None
    fault_confirmed: bool | None = None
    damage: tuple[Damage, ...] = ()
    quote_options: tuple[Path, ...] = ()
    charge_required: bool = False
    charge_amount: Decimal | None = None
    scrap: bool = False
    # The unit is already at the service centre: it arrived without an approved form and was
    # logged as an unannounced receipt (DESIGN §2). Not stored on the line: the service layer
    # sets it from the open receipt when the form is reviewed.
    on_site: bool = False
    version: int = 1

    def __post_init__(self) -> None:
        if self.coverage not in COVERAGES:
            raise Invalid(f"unknown coverage {self.coverage!r}", field="coverage")
        # Accept plain strings from the database and normalise them to the enums.
        object.__setattr__(self, "state", State(self.state))
        if self.path is not None:
            object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "damage", tuple(Damage(d) for d in self.damage))
        object.__setattr__(self, "quote_options", tuple(Path(p) for p in self.quote_options))

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def whose_move(self) -> Party:
        return WHOSE_MOVE[self.state]

    @property
    def terms_met(self) -> bool:
        """Replacement terms: fault confirmed and no damage of any category."""
        return self.fault_confirmed is True and not self.damage


LINE_FIELDS: Final = tuple(f.name for f in fields(Line))


@dataclass(frozen=True, slots=True)
class Step:
    """The result of one event: the new line, what changed, and what the service layer must do.

    `changed` names the `Line` fields that differ (without `version`, which always moves), for
    `save(update_fields=...)`. `data` holds the event's validated fields for the audit record.
    """

    event: Event
    at: datetime
    line: Line
    changed: tuple[str, ...]
    effects: tuple[Effect, ...] = ()
    data: dict[str, object] = field(default_factory=dict)
