"""The deadline sweep: one reminder on the due day, one escalation after, never twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shouhou.notify.models import Message
from shouhou.rma.models import DeadlineRecord
from shouhou.rma.services import line_apply, order_submit
from shouhou.rma.sweep import deadlines_sweep_run

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def approved_advance(dealer_a, service_center, make_unit):
    """An advance replacement delivered 2026-02-14 17:00: the faulty unit is due back 2026-02-26 18:30."""
    make_unit("SN-SWP-0001", datetime(2025, 12, 1).date())
    make_unit("SN-SWP-NEW1", status="in_stock")
    order = order_submit(dealer=dealer_a, actor=service_center, contact_name="李工", contact_phone="1",
                         return_address="南宁", submitted_at=datetime(2026, 2, 13, 9, tzinfo=TZ),
                         topology_required=False,
                         lines=[{"serial": "SN-SWP-0001", "fault": "x", "advance_requested": True,
                                 "advance_reason": "急用"}])
    line = order.lines.get()
    for event, at, fields in [
        ("approve_advance", datetime(2026, 2, 13, 10, tzinfo=TZ), {"reason": "急用"}),
        ("ship_replacement", datetime(2026, 2, 14, 10, tzinfo=TZ),
         {"carrier": "顺丰", "tracking": "SF1", "replacement_serial": "SN-SWP-NEW1"}),
        ("confirm_delivery", datetime(2026, 2, 14, 17, tzinfo=TZ), {}),
    ]:
        line = line_apply(line=line, event=event, actor=service_center, version=line.version, at=at, fields=fields)
    return line


def test_the_dealer_is_reminded_on_the_due_day_only_once(approved_advance):
    assert deadlines_sweep_run(now=datetime(2026, 2, 25, 9, tzinfo=TZ)).reminders == 0
    assert deadlines_sweep_run(now=datetime(2026, 2, 26, 8, tzinfo=TZ)).reminders == 1
    assert deadlines_sweep_run(now=datetime(2026, 2, 26, 9, tzinfo=TZ)).reminders == 0
    note = Message.objects.get(event__name="deadline.dealer_reminder", transport="inbox")
    assert note.dealer.code == "GX-A01" and note.event.data["kind"] == "faulty_return"
    from shouhou.notify.render import render_message

    assert "寄回" in render_message(note).text


def test_an_unreturned_faulty_unit_is_escalated_to_the_dealer_and_managers_once(approved_advance, manager):
    first = deadlines_sweep_run(now=datetime(2026, 2, 27, 9, tzinfo=TZ))
    again = deadlines_sweep_run(now=datetime(2026, 2, 28, 9, tzinfo=TZ))
    assert (first.escalations, again.escalations) == (2, 0)
    recipients = set(Message.objects.filter(event__name="deadline.dealer_overdue", transport="inbox")
                     .values_list("dealer__code", "user__username"))
    assert recipients == {("GX-A01", None), (None, manager.username)}
    assert DeadlineRecord.objects.get(met_at__isnull=True).escalated_at is not None


def test_escalations_are_not_shown_to_the_dealer_portal_scope(approved_advance, manager, alice):
    from shouhou.core.scoping import scoped

    deadlines_sweep_run(now=datetime(2026, 2, 27, 9, tzinfo=TZ))
    assert all(n.dealer_id == alice.dealer_id for n in scoped(alice, Message))


def test_the_sweep_command_runs(approved_advance, capsys):
    from shouhou.core.cli import main

    assert main(["rma", "sweep", "--json"]) == 0
    assert '"escalations"' in capsys.readouterr().out
