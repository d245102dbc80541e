"""Properties of the case targets and the case machine over random times and event sequences."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from shouhou.domain import cases
from shouhou.domain.calendar import china_calendar
from shouhou.domain.cases import Actor, Case, Event, Status
from shouhou.domain.errors import Forbidden, IllegalEvent

CAL = china_calendar()
SH = ZoneInfo("Asia/Shanghai")
HYP = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Minutes over 2024–2026 (official schedules shipped), in Shanghai or UTC.
times = st.builds(
    lambda minutes, tz: (datetime(2024, 1, 1, tzinfo=SH) + timedelta(minutes=minutes)).astimezone(tz),
    st.integers(0, 3 * 365 * 24 * 60),
    st.sampled_from([SH, ZoneInfo("UTC")]),
)


def _in_hours_or_at_close(t: datetime) -> bool:
    local = t.astimezone(SH)
    return CAL.is_working_day(local.date()) and CAL.opens <= local.time() <= CAL.closes


@HYP
@given(times)
def test_pickup_is_inside_business_hours_and_not_before_opening(t: datetime) -> None:
    p = cases.pickup_at(CAL, t)
    assert CAL.in_business_hours(p)
    assert p >= t
    if CAL.in_business_hours(t):
        assert p == t
    else:
        local = t.astimezone(SH)
        assert p.time() == CAL.opens
        # The very next opening: nothing of business time lies between T and P.
        same_day = CAL.is_working_day(local.date()) and local.time() < CAL.opens
        assert p.date() == (local.date() if same_day else CAL.add_working_days(local.date(), 1))


@HYP
@given(times, st.integers(0, 3000))
def test_first_response_is_exactly_the_business_minutes_after_pickup(t: datetime, minutes: int) -> None:
    policy = {k: cases.TargetPolicy(first_response_minutes=minutes) for k in cases.CaseType}
    target = cases.targets(CAL, t, "fault", policy)
    assert target.first_response_due >= target.pickup_at
    assert _in_hours_or_at_close(target.first_response_due)
    assert cases.business_minutes_between(CAL, target.pickup_at, target.first_response_due) == minutes
    assert target.resolution_due == CAL.due(t, 3)
    assert target.resolution_due > target.pickup_at or target.resolution_due.date() == target.pickup_at.date()


@HYP
@given(times, st.integers(0, 2000), st.integers(1, 2000))
def test_business_minutes_add_up(t: datetime, a: int, b: int) -> None:
    step = cases.add_business_minutes(CAL, cases.add_business_minutes(CAL, t, a), b)
    assert step == cases.add_business_minutes(CAL, t, a + b)


STAFF = [Actor(1), Actor(2), Actor(3, manager=True)]
DEALER = Actor(9, dealer=True)
FIELDS: dict[Event, list[dict[str, object]]] = {
    Event.ACCEPT: [{}],
    Event.HAND_OVER: [{"to": 1, "note": "n"}, {"to": 2, "note": "n"}],
    Event.NOTE: [{"text": "t"}, {"text": "qq", "kind": "qq"}],
    Event.LOG_CALL: [{"minutes": 3, "text": "t"}],
    Event.FORWARD_TO_DEALER: [{"note": "n"}],
    Event.WAIT: [{"on": "customer"}, {"on": "dealer"}],
    Event.RESOLVE: [{"resolution": "r", "category": "resolved_by_faq"}],
    Event.CLOSE: [{}],
    Event.REOPEN: [{"reason": "r"}],
}


class CaseMachine(RuleBasedStateMachine):
    """Random events by random actors: the invariants of first-contact ownership always hold."""

    def __init__(self) -> None:
        super().__init__()
        self.case = Case(has_dealer=True)
        self.first: int | None = None

    @rule(event=st.sampled_from(list(Event)), actor=st.sampled_from([*STAFF, DEALER]), pick=st.integers(0, 1))
    def act(self, event: Event, actor: Actor, pick: int) -> None:
        options = FIELDS[event]
        fields = options[pick % len(options)]
        before = self.case
        expected = event in cases.allowed_for(before, actor)
        try:
            step = cases.apply(before, event, actor=actor, version=before.version, fields=fields)
        except IllegalEvent as exc:
            assert event not in cases.allowed(before)
            assert exc.allowed == sorted(e.value for e in cases.allowed_for(before, actor))
            return
        except Forbidden:
            assert event in cases.allowed(before) and not cases.may(actor, before, event)
            return
        except cases.Invalid:  # hand over to the owner
            assert event is Event.HAND_OVER and fields["to"] == before.owner
            return
        assert expected
        assert step.case.version == before.version + 1
        if self.first is None:
            self.first = step.case.first_responder
        self.case = step.case

    @invariant()
    def first_responder_never_changes(self) -> None:
        assert self.case.first_responder == self.first

    @invariant()
    def owned_statuses_have_an_owner(self) -> None:
        if self.case.status in cases.OWNED_STATUSES:
            assert self.case.owner is not None

    @invariant()
    def resolved_cases_carry_a_resolution(self) -> None:
        if self.case.status in cases.CLOSED_STATUSES:
            assert self.case.resolution and self.case.category
        else:
            assert not self.case.resolution and not self.case.category

    @invariant()
    def closed_allows_only_reopen(self) -> None:
        if self.case.status is Status.CLOSED:
            assert cases.allowed(self.case) == (Event.REOPEN,)


CaseMachine.TestCase.settings = settings(HYP, max_examples=200, stateful_step_count=30)
test_case_machine = CaseMachine.TestCase
