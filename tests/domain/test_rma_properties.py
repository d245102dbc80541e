"""Properties of the RMA line machine over random event sequences and the whole state graph.

Invariants: the path fits the state, final states allow nothing, each success moves the
version by one, `allowed` lists exactly the events that succeed, at most one clock runs and the
vendor's runs whenever the move is the vendor's.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shouhou.domain import rma
from shouhou.domain.calendar import china_calendar
from shouhou.domain.errors import IllegalEvent, Invalid
from shouhou.domain.rma import (
    COVERAGES,
    DEALER_EVENTS,
    FINAL_STATES,
    STATE_PATHS,
    Damage,
    Effect,
    Event,
    Line,
    Path,
    State,
    Step,
)

CAL = china_calendar()
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENTS = tuple(e for e in Event if e is not Event.SUBMIT)
LINE_FIELDS = tuple(f.name for f in dataclass_fields(Line))
DEALER_CLOCK_STATES = frozenset({State.AWAITING_RETURN, State.QUOTED})

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
words = texts.filter(lambda s: s.strip() != "")
amounts = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
policies = st.builds(
    rma.RmaPolicy,
    review_wd=st.integers(1, 3),
    advance_ship_wd=st.integers(1, 3),
    faulty_return_wd=st.integers(1, 5),
    inspect_wd=st.integers(1, 5),
    free_repair_ship_wd=st.integers(1, 15),
    paid_repair_ship_wd=st.integers(1, 15),
    quote_valid_days=st.integers(1, 30),
    advance_damage_charge_required=st.booleans(),
)


def valid_fields(draw: st.DrawFn, line: Line, event: Event) -> dict[str, object]:
    """Fields that pass validation for `event` on `line` (when the event is allowed)."""
    if event in (Event.APPROVE_ADVANCE, Event.REJECT, Event.CANCEL):
        return {"reason": draw(words)}
    if event is Event.REQUEST_INFO:
        return {"message": draw(words)}
    if event in (Event.SHIP_TO_CENTRE, Event.SHIP_REPAIRED, Event.SHIP_BACK):
        return {"carrier": draw(words), "tracking": draw(words)}
    if event is Event.SHIP_REPLACEMENT:
        return {"carrier": draw(words), "tracking": draw(words), "replacement_serial": draw(words)}
    if event is Event.RECEIVE:
        return draw(st.sampled_from([{}, {"condition": draw(st.text(max_size=8))}]))
    if event is Event.INSPECT:
        return {
            "fault_confirmed": draw(st.sampled_from([True, False])),
            "damage": draw(st.just([]) | st.lists(st.sampled_from(list(Damage)), max_size=3)),
            "components": draw(st.lists(words, max_size=2)),
        }
    if event is Event.SEND_QUOTE:
        choices = list(rma.quote_choices(line))
        result: dict[str, object] = {
            "items": draw(st.lists(st.fixed_dictionaries({"text": words, "amount": amounts}), min_size=1, max_size=3))
        }
        options = draw(st.none() | st.lists(st.sampled_from(choices), min_size=1, unique=True))
        if options is not None:
            result["options"] = options
        valid_days = draw(st.none() | st.integers(1, 60))
        if valid_days is not None:
            result["valid_days"] = valid_days
        return result
    if event is Event.CONFIRM_QUOTE:
        return {"choice": draw(st.sampled_from(line.quote_options or (Path.PAID_REPAIR,)))}
    if event is Event.DECLINE_QUOTE:
        return draw(st.sampled_from([{}, {"scrap": True}, {"scrap": False}]))
    if event is Event.COMPLETE_REPAIR:
        return {"parts": draw(st.lists(words, max_size=2)), "result": draw(words)}
    if event is Event.CHARGE:
        return {"amount": draw(amounts.filter(lambda a: a > 0)), "reason": draw(words)}
    return {}


def valid_time(draw: st.DrawFn, line: Line, event: Event) -> tuple[datetime, datetime]:
    """An `at` not before the previous step (within a quote's validity), and a `now` after it."""
    assert line.last_event_at is not None
    at = line.last_event_at + timedelta(minutes=draw(st.integers(0, 20 * 24 * 60)))
    if event is Event.CONFIRM_QUOTE and line.dealer_due_at is not None:
        at = min(at, line.dealer_due_at)
    now = at + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return at, now


def check_line(line: Line) -> None:
    """The invariants every reachable line satisfies."""
    assert line.path in STATE_PATHS[line.state], (line.state, line.path)
    whose = rma.whose_move(line)
    if line.state in FINAL_STATES:
        assert rma.allowed(line) == ()
        assert (line.due_at, line.dealer_due_at, line.clock_started_at) == (None, None, None)
    else:
        assert rma.allowed(line), f"{line.state} is not final but allows nothing"
    assert line.due_at is None or line.dealer_due_at is None, "two clocks"
    assert (line.due_at is not None) == (whose == "vendor"), (line.state, line.due_at)
    assert (line.dealer_due_at is not None) == (line.state in DEALER_CLOCK_STATES)
    if line.dealer_due_at is not None:
        assert whose == "dealer"
    live = line.due_at or line.dealer_due_at
    assert (line.clock_started_at is None) == (live is None)
    if live is not None:
        assert line.clock_started_at is not None and line.clock_started_at <= live
    assert set(line.quote_options) <= set(rma.quote_choices(line)) | {Path.PAID_REPLACEMENT}
    if line.charge_amount is not None or line.charge_required:
        assert line.path is Path.ADVANCE_REPLACEMENT
    if line.scrap:
        assert line.path is Path.RETURN_UNREPAIRED
    if line.state in (State.QUOTED, State.REPAIRING, State.REPLACING) and line.path is not Path.FREE_REPAIR:
        assert line.fault_confirmed is True
    assert set(rma.allowed_for(line, "dealer")) <= DEALER_EVENTS


def check_step(before: Line, step: Step) -> None:
    after = step.line
    assert after.version == before.version + 1
    assert after.coverage == before.coverage
    assert after.last_event_at == step.at
    assert before.last_event_at is None or step.at >= before.last_event_at
    differing = {n for n in LINE_FIELDS if n != "version" and getattr(before, n) != getattr(after, n)}
    assert set(step.changed) == differing
    assert set(step.effects) <= set(Effect)
    assert len(set(step.effects)) == len(step.effects)


class LineMachine(RuleBasedStateMachine):
    """Drives one line with random events, mostly allowed ones, with random valid fields."""

    def __init__(self) -> None:
        super().__init__()
        self.step: Step | None = None
        self.successes = 0
        self.sheets = 0

    @property
    def line(self) -> Line:
        assert self.step is not None
        return self.step.line

    @initialize(
        coverage=st.sampled_from(COVERAGES),
        advance=st.booleans(),
        start=st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2026, 12, 31)),
        policy=st.one_of(st.just(rma.DEFAULT_POLICY), policies),
    )
    def submit(self, coverage: str, advance: bool, start: datetime, policy: rma.RmaPolicy) -> None:
        at = start.replace(tzinfo=SHANGHAI)
        self.policy = policy
        self.step = rma.submit(coverage=coverage, advance=advance, at=at, now=at, calendar=CAL, policy=policy)
        self.successes = 1

    @rule(data=st.data())
    def apply_an_event(self, data: st.DataObject) -> None:
        line = self.line
        allowed = rma.allowed(line)
        # Mostly moves forward: ending early (reject, cancel) or illegal events are rarer.
        forward = [e for e in allowed if e not in (Event.REJECT, Event.CANCEL)]
        pool = st.sampled_from(allowed) if allowed else st.nothing()
        ahead = st.sampled_from(forward) if forward else pool
        event = data.draw(st.one_of(ahead, ahead, ahead, pool, st.sampled_from(EVENTS)), label="event")
        fields = data.draw(st.composite(lambda draw: valid_fields(draw, line, event))(), label="fields")
        at, now = data.draw(st.composite(lambda draw: valid_time(draw, line, event))(), label="time")
        if event not in allowed:
            with pytest.raises(IllegalEvent) as exc:
                rma.apply(line, event, at=at, now=now, calendar=CAL, policy=self.policy, fields=fields)
            assert exc.value.allowed == sorted(allowed)
            return
        step = rma.apply(
            line, event, at=at, now=now, calendar=CAL, policy=self.policy, version=line.version, fields=fields
        )
        check_step(line, step)
        hypothesis.event(f"reached {step.line.state}")
        self.step = step
        self.successes += 1
        self.sheets += step.effects.count(Effect.REPAIR_TRACKING_SHEET)

    @invariant()
    def line_is_consistent(self) -> None:
        if self.step is not None:
            check_line(self.line)
            assert self.line.version == self.successes
            assert self.sheets <= 1

    @invariant()
    def allowed_is_exactly_what_succeeds(self) -> None:
        if self.step is None:
            return
        line = self.line
        allowed = set(rma.allowed(line))
        at = line.last_event_at
        assert at is not None
        for event in EVENTS:
            fields = _plain_fields(line, event)
            try:
                rma.apply(line, event, at=at, now=at, calendar=CAL, policy=self.policy, fields=fields)
            except IllegalEvent:
                assert event not in allowed, event
            else:
                assert event in allowed, event


def _plain_fields(line: Line, event: Event) -> dict[str, object]:
    """One fixed valid set of fields per event (random ones are drawn in the rule)."""
    plain: dict[Event, dict[str, object]] = {
        Event.APPROVE_ADVANCE: {"reason": "r"},
        Event.REQUEST_INFO: {"message": "m"},
        Event.REJECT: {"reason": "r"},
        Event.CANCEL: {"reason": "r"},
        Event.SHIP_TO_CENTRE: {"carrier": "c", "tracking": "t"},
        Event.SHIP_REPAIRED: {"carrier": "c", "tracking": "t"},
        Event.SHIP_BACK: {"carrier": "c", "tracking": "t"},
        Event.SHIP_REPLACEMENT: {"carrier": "c", "tracking": "t", "replacement_serial": "s"},
        Event.INSPECT: {"fault_confirmed": True},
        Event.SEND_QUOTE: {"items": [{"text": "x", "amount": 1}]},
        Event.CONFIRM_QUOTE: {"choice": (line.quote_options or (Path.PAID_REPAIR,))[0]},
        Event.COMPLETE_REPAIR: {"result": "ok"},
        Event.CHARGE: {"amount": 1, "reason": "r"},
    }
    return plain.get(event, {})


LineMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLineMachine = LineMachine.TestCase


# The whole state graph, explored breadth first with every variant of every event's fields.

INSPECTIONS: list[dict[str, object]] = [
    {"fault_confirmed": fault, "damage": damage}
    for fault in (True, False)
    for damage in ([], ["cosmetic"], ["missing_parts"], ["physical"], ["liquid", "tampered"])
]
VARIANTS: dict[Event, list[dict[str, object]]] = {
    Event.INSPECT: INSPECTIONS,
    Event.SEND_QUOTE: [
        {"items": [{"text": "x", "amount": 1}], "options": options}
        for options in (["paid_repair"], ["paid_replacement"], ["paid_replacement", "paid_repair"])
    ],
    Event.CONFIRM_QUOTE: [{"choice": "paid_repair"}, {"choice": "paid_replacement"}],
    Event.DECLINE_QUOTE: [{"scrap": False}, {"scrap": True}],
}


def _key(line: Line) -> tuple[object, ...]:
    """A line without its times and version: the graph is finite in these."""
    return (
        line.coverage,
        line.state,
        line.path,
        line.fault_confirmed,
        line.damage,
        line.quote_options,
        line.charge_required,
        line.charge_amount is None,
        line.scrap,
    )


def _successors(line: Line) -> Iterator[tuple[Event, Step]]:
    assert line.last_event_at is not None
    at = line.last_event_at + timedelta(hours=5)
    for event in rma.allowed(line):
        for fields in VARIANTS.get(event, [_plain_fields(line, event)]):
            try:
                yield event, rma.apply(line, event, at=at, now=at, calendar=CAL, fields=fields)
            except Invalid:
                continue  # e.g. an option this quote may not offer


Graph = tuple[dict[tuple[object, ...], Line], dict[tuple[object, ...], set[tuple[object, ...]]]]


@functools.cache
def explore() -> Graph:
    """Every line reachable from each coverage (up to times), checking each step on the way."""
    return _explore()


def _explore() -> tuple[dict[tuple[object, ...], Line], dict[tuple[object, ...], set[tuple[object, ...]]]]:
    start = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    seen: dict[tuple[object, ...], Line] = {}
    edges: dict[tuple[object, ...], set[tuple[object, ...]]] = {}
    queue: deque[Line] = deque()
    for coverage in COVERAGES:
        line = rma.submit(coverage=coverage, at=start, calendar=CAL).line
        seen[_key(line)] = line
        queue.append(line)
    while queue:
        line = queue.popleft()
        edges[_key(line)] = set()
        events_that_worked = set()
        for event, step in _successors(line):
            events_that_worked.add(event)
            check_step(line, step)
            check_line(step.line)
            key = _key(step.line)
            edges[_key(line)].add(key)
            if key not in seen:
                seen[key] = step.line
                queue.append(step.line)
        assert events_that_worked == set(rma.allowed(line)), line
    return seen, edges


def test_every_state_is_reachable() -> None:
    seen, _ = explore()
    assert {line.state for line in seen.values()} == set(State)


def test_every_path_is_reachable_and_in_its_final_state() -> None:
    seen, _ = explore()
    assert {line.path for line in seen.values()} == set(Path) | {None}
    closed_paths = {line.path for line in seen.values() if line.state is State.CLOSED}
    assert closed_paths == STATE_PATHS[State.CLOSED]


def test_every_reachable_line_can_still_reach_a_final_state() -> None:
    seen, edges = explore()
    finals = {key for key, line in seen.items() if line.state in FINAL_STATES}
    can_finish = set(finals)
    changed = True
    while changed:
        changed = False
        for key, successors in edges.items():
            if key not in can_finish and successors & can_finish:
                can_finish.add(key)
                changed = True
    assert set(seen) == can_finish


def test_the_state_paths_table_has_no_unreachable_pairs() -> None:
    seen, _ = explore()
    reached = {(line.state, line.path) for line in seen.values()}
    declared = {(state, path) for state, paths in STATE_PATHS.items() for path in paths}
    assert reached == declared


def test_every_effect_is_produced_somewhere() -> None:
    seen, _ = explore()
    produced: set[Effect] = set()
    for line in seen.values():
        for _, step in _successors(line):
            produced.update(step.effects)
    assert produced == set(Effect)


def test_paid_replacement_is_only_reachable_inside_the_replacement_period() -> None:
    seen, _ = explore()
    for line in seen.values():
        if line.path in (Path.PAID_REPLACEMENT, Path.FREE_REPLACEMENT, Path.ADVANCE_REPLACEMENT):
            assert line.coverage == "replacement"


# Junk input: whatever the API passes through, the answer is a Step, Invalid or IllegalEvent.

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.decimals()
    | st.sampled_from(["paid_repair", "paid_replacement", "liquid", "1.5", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["text", "amount"]), children),
    max_leaves=6,
)
field_names = st.sampled_from(sorted({name for names in rma.EVENT_FIELDS.values() for name in names} | {"x"}))


@settings(max_examples=400, deadline=None)
@given(data=st.data(), fields=st.dictionaries(field_names, junk, max_size=4))
def test_junk_fields_raise_only_domain_errors(data: st.DataObject, fields: dict[str, object]) -> None:
    seen, _ = explore()
    line = data.draw(st.sampled_from(sorted(seen.values(), key=repr)), label="line")
    event = data.draw(st.sampled_from(rma.allowed(line) or EVENTS), label="event")
    assert line.last_event_at is not None
    at = line.last_event_at + timedelta(hours=1)
    try:
        step = rma.apply(line, event, at=at, now=at, calendar=CAL, fields=fields)
    except (Invalid, IllegalEvent):
        return
    hypothesis.event(f"accepted {event}")
    check_step(line, step)
    check_line(step.line)
