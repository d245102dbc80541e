"""Service cases (客服部): the case state machine and its targets (DESIGN §2). No Django.

The machine is data: ``TRANSITIONS`` maps each event to the statuses it may start from and the
status it leads to (``None``: the status stays). ``allowed(case)`` is read from that table, and
``apply(case, event, actor=..., version=..., fields=...)`` returns a ``Step`` with the new
``Case`` (version + 1) and the names of the changed fields. A wrong status raises
``IllegalEvent`` naming the allowed events, an old version ``StaleVersion``, a user who may not
act ``Forbidden``, bad fields ``Invalid``.

Statuses and events::

    new ──accept──▶ accepted ──wait(on)──▶ waiting_customer / waiting_dealer ──resolve──▶ resolved
     │                  │ ▲                      (forward_to_dealer ─▶ waiting_dealer)       │
     │                  │ └──────── accept (staff take it back) ──────────┘                 close
     └──forward_to_dealer──▶ waiting_dealer                                                  ▼
    resolved / closed ──reopen──▶ accepted (the owner keeps it)                           closed
    (reopening a case nobody owned, e.g. resolved by the dealer, leaves it new)

    note, log_call: in every status but closed;  hand_over: while someone owns the case.

First-contact ownership (首问负责制): the member of staff who first accepts a case becomes its
owner and its first responder. Only the owner or a manager hands it over, always with a note;
the first responder never changes. A case is resolved with a resolution and a category, and is
closed only once resolved.

Targets: a case opened at T is picked up at P (T inside business hours, else the next opening);
the first response is due one business hour after P (only time inside business hours counts);
the resolution is due within 3 working days of T. Both are configurable per case type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final, Protocol

from shouhou.domain.errors import Forbidden, IllegalEvent, Invalid, StaleVersion

__all__ = [
    "CLOSED_STATUSES",
    "DEALER_EVENTS",
    "DEFAULT_TARGETS",
    "EVENT_FIELDS",
    "OPEN_STATUSES",
    "OWNED_STATUSES",
    "TRANSITIONS",
    "Actor",
    "BusinessCalendar",
    "Case",
    "CaseType",
    "Category",
    "Channel",
    "Event",
    "Status",
    "Step",
    "TargetPolicy",
    "Targets",
    "WaitOn",
    "add_business_minutes",
    "allowed",
    "allowed_for",
    "apply",
    "business_minutes_between",
    "may",
    "pickup_at",
    "targets",
]


class BusinessCalendar(Protocol):
    """What the targets need from `shouhou.domain.calendar.WorkCalendar`."""

    @property
    def tz(self) -> tzinfo: ...

    @property
    def opens(self) -> time: ...

    @property
    def closes(self) -> time: ...

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, day: date, n: int) -> date: ...

    def next_opening(self, at: datetime) -> datetime: ...

    def due(self, at: datetime, n: int) -> datetime: ...


# --- vocabulary --------------------------------------------------------------------------------


class Status(StrEnum):
    NEW = "new"  # nobody has accepted it yet
    ACCEPTED = "accepted"  # the owner works on it
    WAITING_CUSTOMER = "waiting_customer"  # the reporter owes an answer
    WAITING_DEALER = "waiting_dealer"  # forwarded to the dealer, or waiting on it
    RESOLVED = "resolved"
    CLOSED = "closed"


class Event(StrEnum):
    ACCEPT = "accept"
    HAND_OVER = "hand_over"
    NOTE = "note"
    LOG_CALL = "log_call"
    FORWARD_TO_DEALER = "forward_to_dealer"
    WAIT = "wait"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


class Channel(StrEnum):
    HOTLINE = "hotline"
    QQ = "qq"
    EMAIL = "email"
    WEB = "web"
    PORTAL = "portal"
    API = "api"


class CaseType(StrEnum):
    CONSULTATION = "consultation"  # 技术咨询
    FAULT = "fault"  # 故障受理
    REPAIR = "repair"  # 产品维保
    COMPLAINT = "complaint"  # 投诉代理商


class Category(StrEnum):
    """How a case was resolved (the resolution category)."""

    RESOLVED_BY_FAQ = "resolved_by_faq"
    REMOTE_FIX = "remote_fix"  # solved on the phone / QQ / remotely
    CONFIGURATION = "configuration"  # user mis-operation or configuration
    THIRD_PARTY = "third_party"  # client PC, diskless or billing software, not our product
    DEALER_HANDLED = "dealer_handled"
    SERVICE_ORDER = "service_order"  # became an RMA
    NO_RESPONSE = "no_response"  # the reporter stopped answering
    OTHER = "other"


class WaitOn(StrEnum):
    CUSTOMER = "customer"
    DEALER = "dealer"


OPEN_STATUSES: Final = frozenset({Status.NEW, Status.ACCEPTED, Status.WAITING_CUSTOMER, Status.WAITING_DEALER})
CLOSED_STATUSES: Final = frozenset({Status.RESOLVED, Status.CLOSED})
# Statuses in which somebody owns the case (the database checks owner IS NOT NULL there).
OWNED_STATUSES: Final = frozenset({Status.ACCEPTED, Status.WAITING_CUSTOMER})

_WORKING: Final = frozenset({Status.ACCEPTED, Status.WAITING_CUSTOMER, Status.WAITING_DEALER})
_LIVE: Final = frozenset(Status) - {Status.CLOSED}

# event -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: Final[Mapping[Event, tuple[frozenset[Status], Status | None]]] = {
    Event.ACCEPT: (frozenset({Status.NEW, Status.WAITING_DEALER}), Status.ACCEPTED),
    Event.HAND_OVER: (_WORKING | {Status.RESOLVED}, None),
    Event.NOTE: (_LIVE, None),
    Event.LOG_CALL: (_LIVE, None),
    Event.FORWARD_TO_DEALER: (frozenset({Status.NEW, Status.ACCEPTED, Status.WAITING_CUSTOMER}), Status.WAITING_DEALER),
    Event.WAIT: (_WORKING, None),  # the status follows the field `on`
    Event.RESOLVE: (_WORKING, Status.RESOLVED),
    Event.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Event.REOPEN: (CLOSED_STATUSES, Status.ACCEPTED),
}

# The fields each event takes: (name, required).
EVENT_FIELDS: Final[Mapping[Event, tuple[tuple[str, bool], ...]]] = {
    Event.ACCEPT: (),
    Event.HAND_OVER: (("to", True), ("note", True)),
    Event.NOTE: (("text", True), ("kind", False)),
    Event.LOG_CALL: (("minutes", True), ("text", False)),
    Event.FORWARD_TO_DEALER: (("note", True),),
    Event.WAIT: (("on", True),),
    Event.RESOLVE: (("resolution", True), ("category", True)),
    Event.CLOSE: (),
    Event.REOPEN: (("reason", True),),
}

_TAKES_OWNERSHIP: Final = frozenset({Event.ACCEPT, Event.WAIT, Event.RESOLVE})

# What a dealer's user may do on a case of its own dealer (in the portal): answer it, and
# resolve it when it was forwarded to them.
DEALER_EVENTS: Final = frozenset({Event.NOTE, Event.RESOLVE})

NOTE_KINDS: Final = ("note", "qq")  # a plain note, or an excerpt of a QQ chat
MAX_CALL_MINUTES: Final = 600
MAX_TEXT: Final = 10_000


@dataclass(frozen=True, slots=True)
class Case:
    """What the machine needs of a case. `owner` and `first_responder` are user ids."""

    status: Status = Status.NEW
    owner: int | None = None
    first_responder: int | None = None
    has_dealer: bool = False
    resolution: str = ""
    category: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class Actor:
    """Who applies an event: a user id, whether a manager, whether a dealer's user."""

    id: int
    manager: bool = False
    dealer: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    case: Case
    event: Event
    changed: tuple[str, ...]
    data: Mapping[str, object]


# --- the machine -------------------------------------------------------------------------------


def _event(value: str | Event) -> Event:
    try:
        return Event(value)
    except ValueError:
        raise Invalid(f"unknown event {value!r}", field="event", events=[e.value for e in Event]) from None


def _enters(case: Case, event: Event) -> bool:
    sources, _target = TRANSITIONS[event]
    if case.status not in sources:
        return False
    if event is Event.FORWARD_TO_DEALER:
        return case.has_dealer
    if event is Event.HAND_OVER:
        return case.owner is not None
    return True


def allowed(case: Case) -> tuple[Event, ...]:
    """The events that the case's status allows, in declaration order."""
    return tuple(e for e in Event if _enters(case, e))


def may(actor: Actor, case: Case, event: str | Event) -> bool:
    """Whether ACTOR may apply EVENT to CASE (403 at the edges when not)."""
    event = _event(event)
    if actor.dealer:
        if event is Event.RESOLVE:
            return case.status is Status.WAITING_DEALER
        return event in DEALER_EVENTS
    if event is Event.HAND_OVER:
        return actor.manager or case.owner == actor.id
    return True


def allowed_for(case: Case, actor: Actor) -> tuple[Event, ...]:
    """The events ACTOR may apply now: the API's `allowed` for that caller."""
    return tuple(e for e in allowed(case) if may(actor, case, e))


def _text(fields: Mapping[str, object], name: str, *, required: bool = True) -> str:
    value = fields.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"{name} is required", field=name)
    if len(value) > MAX_TEXT:
        raise Invalid(f"{name} is longer than {MAX_TEXT} characters", field=name)
    return value.strip()


def _check_fields(event: Event, fields: Mapping[str, object]) -> dict[str, object]:
    """The event's fields, checked; unknown fields are refused so typos do not pass silently."""
    known = {name for name, _required in EVENT_FIELDS[event]}
    extra = sorted(set(fields) - known)
    if extra:
        raise Invalid(f"unknown field(s) for {event.value}: {', '.join(extra)}", field=extra[0])
    data: dict[str, object] = {}
    if event is Event.HAND_OVER:
        to = fields.get("to")
        if isinstance(to, bool) or not isinstance(to, int) or to <= 0:
            raise Invalid("to is required: the member of staff who takes the case over", field="to")
        data["to"] = to
        data["note"] = _text(fields, "note")
    elif event is Event.NOTE:
        data["text"] = _text(fields, "text")
        kind = fields.get("kind") or "note"
        if kind not in NOTE_KINDS:
            raise Invalid(f"kind must be one of {', '.join(NOTE_KINDS)}", field="kind")
        data["kind"] = kind
    elif event is Event.LOG_CALL:
        minutes = fields.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_CALL_MINUTES:
            raise Invalid(f"minutes must be a whole number from 1 to {MAX_CALL_MINUTES}", field="minutes")
        data["minutes"] = minutes
        data["text"] = _text(fields, "text", required=False)
    elif event is Event.FORWARD_TO_DEALER:
        data["note"] = _text(fields, "note")
    elif event is Event.WAIT:
        on = fields.get("on")
        if on not in tuple(WaitOn):
            raise Invalid("on must be customer or dealer", field="on")
        data["on"] = str(on)
    elif event is Event.RESOLVE:
        data["resolution"] = _text(fields, "resolution")
        category = fields.get("category")
        if category not in tuple(Category):
            raise Invalid(f"category must be one of {', '.join(Category)}", field="category")
        data["category"] = str(category)
    elif event is Event.REOPEN:
        data["reason"] = _text(fields, "reason")
    return data


def apply(
    case: Case,
    event: str | Event,
    *,
    actor: Actor,
    version: int | None = None,
    fields: Mapping[str, object] | None = None,
) -> Step:
    """Apply EVENT as ACTOR; returns the step. Checks, in order: the event name (Invalid), the
    version (StaleVersion; None skips the check, for callers that hold a lock), the status
    (IllegalEvent naming the allowed events), the actor (Forbidden), then the fields (Invalid)."""
    event = _event(event)
    if version is not None and version != case.version:
        raise StaleVersion(f"the case is at version {case.version}, not {version}", version=case.version)
    if not _enters(case, event):
        names = [e.value for e in allowed_for(case, actor)]
        raise IllegalEvent(f"{event.value} is not allowed when the case is {case.status.value}", allowed=names)
    if not may(actor, case, event):
        raise Forbidden(f"you may not {event.value} this case")
    data = _check_fields(event, fields or {})
    _sources, target = TRANSITIONS[event]
    changes: dict[str, object] = {}
    if target is not None:
        changes["status"] = target
    if event in _TAKES_OWNERSHIP and not actor.dealer and case.owner is None:
        # Staff who accept, or work on a case nobody owns yet (one forwarded to the dealer
        # straight from intake), become its owner: somebody is always accountable.
        changes["owner"] = actor.id
        if case.first_responder is None:
            changes["first_responder"] = actor.id
    if event is Event.HAND_OVER:
        if data["to"] == case.owner:
            raise Invalid("the case is already owned by that member of staff", field="to")
        changes["owner"] = data["to"]
    elif event is Event.WAIT:
        changes["status"] = Status.WAITING_CUSTOMER if data["on"] == WaitOn.CUSTOMER else Status.WAITING_DEALER
    elif event is Event.RESOLVE:
        changes["resolution"] = data["resolution"]
        changes["category"] = data["category"]
    elif event is Event.REOPEN:
        changes["resolution"] = ""
        changes["category"] = ""
        if case.owner is None:
            changes["status"] = Status.NEW
    changes = {k: v for k, v in changes.items() if getattr(case, k) != v}
    new = replace(case, **changes, version=case.version + 1)  # type: ignore[arg-type]
    return Step(case=new, event=event, changed=tuple(changes), data=data)


# --- targets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """The targets of one case type: first response in business minutes after pickup, resolution
    in working days after opening."""

    first_response_minutes: int = 60
    resolution_working_days: int = 3

    def __post_init__(self) -> None:
        for name in ("first_response_minutes", "resolution_working_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise Invalid(f"{name} must be a whole number of 0 or more", field=name)


@dataclass(frozen=True, slots=True)
class TeamTargets:
    """A team's overrides of its cases' targets; None keeps the case type's."""

    first_response_minutes: int | None = None
    resolution_working_days: int | None = None

    def __post_init__(self) -> None:
        for name in ("first_response_minutes", "resolution_working_days"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise Invalid(f"{name} must be a whole number of 0 or more", field=name)

    def over(self, policy: TargetPolicy) -> TargetPolicy:
        """POLICY with this team's overrides applied."""
        return TargetPolicy(
            first_response_minutes=policy.first_response_minutes if self.first_response_minutes is None
            else self.first_response_minutes,
            resolution_working_days=policy.resolution_working_days if self.resolution_working_days is None
            else self.resolution_working_days)


DEFAULT_TARGETS: Final[Mapping[CaseType, TargetPolicy]] = {t: TargetPolicy() for t in CaseType}


@dataclass(frozen=True, slots=True)
class Targets:
    pickup_at: datetime
    first_response_due: datetime
    resolution_due: datetime


def _local(cal: BusinessCalendar, at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid(f"naive datetime {at.isoformat()}: give a timezone-aware time", field="at")
    return at.astimezone(cal.tz)


def pickup_at(cal: BusinessCalendar, opened_at: datetime) -> datetime:
    """P: OPENED_AT itself inside business hours, else the next opening (in the calendar's zone)."""
    return _local(cal, cal.next_opening(_local(cal, opened_at)))


def add_business_minutes(cal: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """START plus MINUTES counting only time inside business hours.

    START is first moved to the next opening when it lies outside business hours. Zero minutes
    give that moment itself.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise Invalid("minutes must be a whole number of 0 or more", field="minutes")
    at = pickup_at(cal, start)
    left = timedelta(minutes=minutes)
    while True:
        close = datetime.combine(at.date(), cal.closes, cal.tz)
        if at + left <= close:
            return at + left
        left -= close - at
        day = cal.add_working_days(at.date(), 1)
        at = datetime.combine(day, cal.opens, cal.tz)


def business_minutes_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business minutes from START to END (negative when END is earlier); for "time left"."""
    if end < start:
        return -business_minutes_between(cal, end, start)
    at, end = pickup_at(cal, start), _local(cal, end)
    total = timedelta()
    while at < end:
        close = datetime.combine(at.date(), cal.closes, cal.tz)
        total += min(close, end) - at
        if end <= close:
            break
        day = cal.add_working_days(at.date(), 1)
        at = datetime.combine(day, cal.opens, cal.tz)
    return total.total_seconds() / 60


def targets(
    cal: BusinessCalendar,
    opened_at: datetime,
    case_type: str | CaseType,
    policy: Mapping[CaseType, TargetPolicy] = DEFAULT_TARGETS,
    team: TeamTargets | None = None,
) -> Targets:
    """Pickup, first-response and resolution targets of a case of CASE_TYPE opened at OPENED_AT;
    a case opened for a team takes the TEAM's overrides of the type's targets."""
    try:
        rule = policy[CaseType(case_type)]
    except ValueError:
        raise Invalid(f"unknown case type {case_type!r}", field="type") from None
    if team is not None:
        rule = team.over(rule)
    start = pickup_at(cal, opened_at)
    return Targets(
        pickup_at=start,
        first_response_due=add_business_minutes(cal, start, rule.first_response_minutes),
        resolution_due=cal.due(_local(cal, opened_at), rule.resolution_working_days),
    )


def team_reminder_at(pickup: datetime, first_response_due: datetime) -> datetime:
    """When an unowned team case's members are reminded: halfway from pickup to the first-response
    target (the target itself when they coincide). Escalation follows at the target."""
    return pickup + (first_response_due - pickup) / 2
