"""The case machine and targets (DESIGN §2 "First-contact ownership", "Business hours and case
targets"), with hand-checked times against the shipped 2025 schedule."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shouhou.domain import cases
from shouhou.domain.calendar import china_calendar
from shouhou.domain.cases import Actor, Case, Event, Status, TargetPolicy
from shouhou.domain.errors import Forbidden, IllegalEvent, Invalid, StaleVersion

CAL = china_calendar()
SH = ZoneInfo("Asia/Shanghai")
CS, OTHER, MANAGER, DEALER = Actor(1), Actor(2), Actor(3, manager=True), Actor(9, dealer=True)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# --- targets, hand-checked ---------------------------------------------------------------------
# 2025: Sat Sep 27 working (Mon–Sat), Sun Sep 28 make-up, Oct 1–8 holidays, Sat Oct 11 make-up,
# Sun Oct 12 / Oct 19 rest. Business hours 10:15–18:30.

TARGET_CASES = [
    # opened at,            pickup,                first response,        resolution (3 WD)
    ("2025-09-30 10:00", "2025-09-30 10:15", "2025-09-30 11:15", "2025-10-11 18:30"),  # before opening
    ("2025-09-30 10:15", "2025-09-30 10:15", "2025-09-30 11:15", "2025-10-11 18:30"),  # at opening
    ("2025-09-30 17:30", "2025-09-30 17:30", "2025-09-30 18:30", "2025-10-11 18:30"),  # due at closing
    ("2025-09-30 18:00", "2025-09-30 18:00", "2025-10-09 10:45", "2025-10-11 18:30"),  # across the holiday week
    ("2025-09-30 18:29", "2025-09-30 18:29", "2025-10-09 11:14", "2025-10-11 18:30"),  # one minute before closing
    ("2025-09-30 18:30", "2025-10-09 10:15", "2025-10-09 11:15", "2025-10-11 18:30"),  # at closing: outside
    ("2025-10-03 14:00", "2025-10-09 10:15", "2025-10-09 11:15", "2025-10-11 18:30"),  # on a holiday
    ("2025-09-27 12:00", "2025-09-27 12:00", "2025-09-27 13:00", "2025-09-30 18:30"),  # Saturday is worked
    ("2025-09-27 20:00", "2025-09-28 10:15", "2025-09-28 11:15", "2025-09-30 18:30"),  # to a make-up Sunday
    ("2025-09-28 11:00", "2025-09-28 11:00", "2025-09-28 12:00", "2025-10-09 18:30"),  # on a make-up Sunday
    ("2025-10-18 18:00", "2025-10-18 18:00", "2025-10-20 10:45", "2025-10-22 18:30"),  # Sat evening over Sunday
    ("2025-10-19 09:00", "2025-10-20 10:15", "2025-10-20 11:15", "2025-10-22 18:30"),  # on a rest Sunday
    ("2025-10-14 18:00", "2025-10-14 18:00", "2025-10-15 10:45", "2025-10-17 18:30"),  # DESIGN: Tue 18:00 → Wed 10:45
    ("2025-10-14 03:00", "2025-10-14 10:15", "2025-10-14 11:15", "2025-10-17 18:30"),  # night before a working day
]


@pytest.mark.parametrize(("opened", "pickup", "first", "resolution"), TARGET_CASES)
def test_targets_match_hand_checked_values(opened: str, pickup: str, first: str, resolution: str) -> None:
    t = cases.targets(CAL, at(opened), "fault")
    assert (t.pickup_at, t.first_response_due, t.resolution_due) == (at(pickup), at(first), at(resolution))


def test_targets_accept_any_time_zone() -> None:
    utc = datetime.fromisoformat("2025-09-30T10:00:00+00:00")  # 18:00 in Shanghai
    t = cases.targets(CAL, utc, "consultation")
    assert t.pickup_at == at("2025-09-30 18:00")
    assert t.first_response_due == at("2025-10-09 10:45")


def test_targets_are_configurable_per_case_type() -> None:
    policy = {**cases.DEFAULT_TARGETS, cases.CaseType.COMPLAINT: TargetPolicy(first_response_minutes=30,
                                                                              resolution_working_days=5)}
    t = cases.targets(CAL, at("2025-09-30 18:15"), "complaint", policy)
    assert t.first_response_due == at("2025-10-09 10:30")
    assert t.resolution_due == at("2025-10-14 18:30")  # Oct 9, 10, 11 (make-up), 13, 14
    assert cases.targets(CAL, at("2025-09-30 18:15"), "fault", policy).first_response_due == at("2025-10-09 11:00")


def test_resolution_in_five_working_days_skips_the_rest_sunday() -> None:
    policy = {t: TargetPolicy(resolution_working_days=5) for t in cases.CaseType}
    # After Sep 30: Oct 9, 10, 11 (make-up Saturday), 13 (Sunday 12 is rest), 14.
    assert cases.targets(CAL, at("2025-09-30 12:00"), "fault", policy).resolution_due == at("2025-10-14 18:30")


def test_naive_times_and_unknown_types_are_refused() -> None:
    with pytest.raises(Invalid):
        cases.targets(CAL, datetime(2025, 9, 30, 12), "fault")
    with pytest.raises(Invalid):
        cases.targets(CAL, at("2025-09-30 12:00"), "gossip")
    with pytest.raises(Invalid):
        TargetPolicy(first_response_minutes=-1)


def test_business_minutes_between_counts_only_business_hours() -> None:
    assert cases.business_minutes_between(CAL, at("2025-09-30 18:00"), at("2025-10-09 10:45")) == 60
    assert cases.business_minutes_between(CAL, at("2025-10-09 10:45"), at("2025-09-30 18:00")) == -60
    assert cases.business_minutes_between(CAL, at("2025-10-01 09:00"), at("2025-10-08 23:00")) == 0


# --- the machine ------------------------------------------------------------------------------


def test_accept_makes_the_first_acceptor_owner_and_first_responder() -> None:
    step = cases.apply(Case(), "accept", actor=CS, version=1)
    assert step.case == Case(status=Status.ACCEPTED, owner=1, first_responder=1, version=2)
    assert set(step.changed) == {"status", "owner", "first_responder"}


def test_hand_over_moves_the_owner_but_keeps_the_first_responder() -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    step = cases.apply(case, "hand_over", actor=CS, fields={"to": 2, "note": "转技术支持排查无盘问题"})
    assert (step.case.owner, step.case.first_responder, step.case.status) == (2, 1, Status.ACCEPTED)
    assert step.data == {"to": 2, "note": "转技术支持排查无盘问题"}


def test_only_the_owner_or_a_manager_hands_over() -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    with pytest.raises(Forbidden):
        cases.apply(case, "hand_over", actor=OTHER, fields={"to": 2, "note": "我来"})
    assert cases.apply(case, "hand_over", actor=MANAGER, fields={"to": 2, "note": "调整"}).case.owner == 2
    assert "hand_over" not in cases.allowed_for(case, OTHER)
    assert "hand_over" in cases.allowed_for(case, MANAGER)


@pytest.mark.parametrize("fields", [{"to": 2}, {"to": 2, "note": "  "}, {"note": "x"}, {"to": "2", "note": "x"}])
def test_hand_over_needs_a_member_of_staff_and_a_note(fields: dict[str, object]) -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    with pytest.raises(Invalid):
        cases.apply(case, "hand_over", actor=CS, fields=fields)


def test_hand_over_to_the_owner_is_refused() -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    with pytest.raises(Invalid):
        cases.apply(case, "hand_over", actor=CS, fields={"to": 1, "note": "x"})


def test_a_new_case_cannot_be_handed_over_nobody_owns_it() -> None:
    with pytest.raises(IllegalEvent) as exc:
        cases.apply(Case(), "hand_over", actor=MANAGER, fields={"to": 2, "note": "x"})
    assert exc.value.allowed == ["accept", "log_call", "note"]


def test_closing_needs_a_resolution_first() -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    with pytest.raises(IllegalEvent) as exc:
        cases.apply(case, "close", actor=CS)
    assert "close" not in exc.value.allowed and "resolve" in exc.value.allowed
    with pytest.raises(Invalid):
        cases.apply(case, "resolve", actor=CS, fields={"resolution": "已解决"})  # no category
    resolved = cases.apply(case, "resolve", actor=CS,
                           fields={"resolution": "按常见问题重装网卡驱动", "category": "resolved_by_faq"}).case
    closed = cases.apply(resolved, "close", actor=CS).case
    assert (closed.status, closed.resolution, closed.category) == (Status.CLOSED, "按常见问题重装网卡驱动",
                                                                  "resolved_by_faq")
    assert cases.allowed(closed) == (Event.REOPEN,)


def test_reopen_clears_the_resolution_and_keeps_the_owner() -> None:
    case = cases.apply(Case(), "accept", actor=CS).case
    case = cases.apply(case, "resolve", actor=CS, fields={"resolution": "r", "category": "other"}).case
    step = cases.apply(case, "reopen", actor=OTHER, fields={"reason": "用户回电：问题再次出现"})
    assert (step.case.status, step.case.owner, step.case.resolution, step.case.category) == (
        Status.ACCEPTED, 1, "", "")


def test_wait_follows_its_field() -> None:
    case = cases.apply(Case(has_dealer=True), "accept", actor=CS).case
    assert cases.apply(case, "wait", actor=CS, fields={"on": "customer"}).case.status is Status.WAITING_CUSTOMER
    assert cases.apply(case, "wait", actor=CS, fields={"on": "dealer"}).case.status is Status.WAITING_DEALER
    with pytest.raises(Invalid):
        cases.apply(case, "wait", actor=CS, fields={"on": "godot"})


def test_forward_to_dealer_needs_a_dealer_and_a_note() -> None:
    assert "forward_to_dealer" not in cases.allowed(Case())
    case = Case(has_dealer=True)
    with pytest.raises(Invalid):
        cases.apply(case, "forward_to_dealer", actor=CS, fields={})
    step = cases.apply(case, "forward_to_dealer", actor=CS, fields={"note": "请代理商上门"})
    assert step.case.status is Status.WAITING_DEALER and step.case.owner is None


def test_a_dealer_may_answer_and_resolve_only_what_was_forwarded_to_it() -> None:
    forwarded = cases.apply(Case(has_dealer=True), "forward_to_dealer", actor=CS, fields={"note": "n"}).case
    assert cases.allowed_for(forwarded, DEALER) == (Event.NOTE, Event.RESOLVE)
    resolved = cases.apply(forwarded, "resolve", actor=DEALER,
                           fields={"resolution": "已上门更换内存", "category": "dealer_handled"}).case
    assert resolved.status is Status.RESOLVED and resolved.owner is None
    accepted = cases.apply(Case(), "accept", actor=CS).case
    assert cases.allowed_for(accepted, DEALER) == (Event.NOTE,)
    with pytest.raises(Forbidden):
        cases.apply(accepted, "resolve", actor=DEALER, fields={"resolution": "r", "category": "other"})
    with pytest.raises(Forbidden):
        cases.apply(Case(), "accept", actor=DEALER)
    # Reopening a case nobody owned puts it back in the queue.
    assert cases.apply(resolved, "reopen", actor=CS, fields={"reason": "x"}).case.status is Status.NEW


def test_log_call_needs_whole_minutes_in_range() -> None:
    for minutes in (0, -1, 601, 1.5, True, "5"):
        with pytest.raises(Invalid):
            cases.apply(Case(), "log_call", actor=CS, fields={"minutes": minutes, "text": "x"})
    step = cases.apply(Case(), "log_call", actor=CS, fields={"minutes": 7, "text": "来电：无盘启动蓝屏"})
    assert step.changed == () and step.case.version == 2 and step.data["minutes"] == 7


def test_note_kinds_and_unknown_fields() -> None:
    assert cases.apply(Case(), "note", actor=CS, fields={"text": "QQ: 你好", "kind": "qq"}).data["kind"] == "qq"
    with pytest.raises(Invalid):
        cases.apply(Case(), "note", actor=CS, fields={"text": "x", "kind": "fax"})
    with pytest.raises(Invalid):
        cases.apply(Case(), "note", actor=CS, fields={"text": "x", "colour": "red"})


def test_stale_versions_and_unknown_events_are_refused() -> None:
    with pytest.raises(StaleVersion) as exc:
        cases.apply(Case(version=3), "accept", actor=CS, version=2)
    assert exc.value.version == 3
    with pytest.raises(Invalid):
        cases.apply(Case(), "teleport", actor=CS)


def test_transitions_table_names_every_event() -> None:
    assert set(cases.TRANSITIONS) == set(Event) == set(cases.EVENT_FIELDS)


def test_staff_working_on_a_forwarded_case_nobody_owns_become_its_owner() -> None:
    forwarded = cases.apply(Case(has_dealer=True), "forward_to_dealer", actor=CS, fields={"note": "n"}).case
    step = cases.apply(forwarded, "wait", actor=OTHER, fields={"on": "customer"})
    assert (step.case.status, step.case.owner, step.case.first_responder) == (Status.WAITING_CUSTOMER, 2, 2)
