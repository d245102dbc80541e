"""The RMA demo runs on the registry demo, through the real services, and only once.

Closed history crosses the official holidays; open lines are dated back from today, so the
queue reads naturally on whatever day the demo is loaded.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The whole demo, loaded once for the module (it takes a few seconds)."""
    from django.db import transaction

    from shouhou.core.bootstrap import ensure_admin, load_demo

    # Module-wide data in a transaction rolled back at the end; each test nests in it.
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        ensure_admin(out)
        load_demo(out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _local(at: datetime) -> date:
    return timezone.localtime(at).date()


def test_every_path_ends_closed_in_the_history(demo):
    from shouhou.rma.models import OrderLine

    closed = OrderLine.objects.filter(state="closed")
    paths = set(closed.values_list("path", flat=True))
    assert {"free_replacement", "paid_replacement", "free_repair", "paid_repair", "best_effort", "no_fault_found",
            "return_unrepaired", "advance_replacement"} <= paths, demo
    assert closed.filter(path="paid_repair", coverage="out_of_warranty").exists(), "lifetime paid repair"
    assert closed.filter(path="return_unrepaired", scrap=False).exists(), "declined quote, returned"
    assert closed.filter(path="return_unrepaired", scrap=True).exists(), "declined quote, scrapped"
    assert closed.filter(path="advance_replacement", charge_amount__isnull=False).exists(), "back-charge"
    assert closed.filter(path="advance_replacement", charge_amount__isnull=True).exists(), "no back-charge"
    assert OrderLine.objects.filter(state="rejected").exists()
    assert OrderLine.objects.filter(state="cancelled").exists()


@pytest.mark.parametrize(("first", "last"), [(date(2025, 10, 1), date(2025, 10, 8)),
                                             (date(2026, 2, 15), date(2026, 2, 23)),
                                             (date(2026, 10, 1), date(2026, 10, 7))])
def test_closed_history_steps_over_the_official_holidays(demo, first, last):
    from shouhou.rma.models import OrderLine

    spanning = [ln for ln in OrderLine.objects.filter(state="closed").select_related("order")
                if _local(ln.order.submitted_at) < first and _local(ln.last_event_at) > last]
    assert len(spanning) >= 3, demo
    # Nothing happened on the holiday itself: the staff were off.
    from shouhou.core.models import AuditEvent

    on_holiday = [e for e in AuditEvent.objects.filter(object_type="rma.orderline")
                  if "at" in e.data and first <= datetime.fromisoformat(e.data["at"]).date() <= last]
    assert on_holiday == []


def test_open_lines_are_dated_from_today_and_few_are_late(demo):
    from shouhou.rma.models import DRAFT, OPEN_STATES, OrderLine
    from shouhou.rma.policy import work_calendar

    cal, now = work_calendar(), timezone.now()
    today = cal.local(now).date()
    open_lines = list(OrderLine.objects.filter(state__in=OPEN_STATES))
    assert len(open_lines) >= 15, demo
    states = {ln.state for ln in open_lines}
    assert {"submitted", "info_requested", "approved", "in_transit", "received", "quoting", "quoted", "replacing",
            "repairing", "repaired", "awaiting_return", "shipped"} <= states, states
    late = []
    for ln in open_lines:
        due = ln.due_at or ln.dealer_due_at
        if due is not None and due < now:
            late.append(cal.working_days_between(cal.local(due).date(), today))
    assert late, "the red badge shows on some lines"
    assert max(late) < 5, late
    assert len(late) * 3 < len(open_lines), (len(late), len(open_lines))
    # Just submitted: the review is due today or on the next working day.
    reviews = [cal.working_days_between(today, cal.local(ln.due_at).date())
               for ln in open_lines if ln.state == "submitted" and ln.due_at >= now]
    assert reviews and set(reviews) <= {0, 1}, reviews
    # A quote waits for the dealer inside its validity; the advance replacement's faulty unit too.
    assert any(ln.state == "quoted" and ln.dealer_due_at > now for ln in open_lines)
    assert any(ln.state == "awaiting_return" and ln.dealer_due_at > now for ln in open_lines)
    repairs = [cal.working_days_between(today, cal.local(ln.due_at).date())
               for ln in open_lines if ln.state == "repairing"]
    assert repairs and all(3 <= n <= 8 for n in repairs), repairs
    assert OrderLine.objects.filter(state=DRAFT, order__dealer__code="GX-NN01").exists()


def test_nothing_is_dated_in_the_future(demo):
    from shouhou.core.models import AuditEvent
    from shouhou.rma.models import DeadlineRecord, OrderLine, ServiceOrder

    now = timezone.now()
    assert not ServiceOrder.objects.filter(submitted_at__gt=now).exists()
    assert not OrderLine.objects.filter(last_event_at__gt=now).exists()
    assert not DeadlineRecord.objects.filter(started_at__gt=now).exists()
    assert not DeadlineRecord.objects.filter(met_at__gt=now).exists()
    ats = [datetime.fromisoformat(e.data["at"]) for e in AuditEvent.objects.filter(object_type="rma.orderline")
           if "at" in e.data]
    assert ats and max(ats) <= now


def test_recent_deadlines_are_mostly_met(demo):
    from datetime import timedelta

    from shouhou.rma.models import DeadlineRecord

    recent = DeadlineRecord.objects.filter(met_at__gte=timezone.now() - timedelta(days=30))
    assert recent.filter(late=False).count() > recent.filter(late=True).count() >= 1


def test_a_second_load_changes_nothing(demo):
    from shouhou.core.bootstrap import load_demo
    from shouhou.core.models import AuditEvent
    from shouhou.rma.models import OrderLine, ServiceOrder

    counts = (ServiceOrder.objects.count(), OrderLine.objects.count(), AuditEvent.objects.count())
    load_demo(io.StringIO())
    assert (ServiceOrder.objects.count(), OrderLine.objects.count(), AuditEvent.objects.count()) == counts


def test_every_demo_replacement_is_of_the_original_model(demo):
    from shouhou.rma.models import OrderLine

    replaced = OrderLine.objects.filter(replacement_unit__isnull=False).select_related(
        "unit", "replacement_unit")
    assert replaced.exists()
    assert all(ln.unit.product_model_id == ln.replacement_unit.product_model_id for ln in replaced)


def test_the_demo_timeline_says_which_unit_and_when_each_step_happened(demo, client_for, service_center):
    from shouhou.core.models import AuditEvent
    from shouhou.rma.models import OrderLine
    from shouhou.workdays import clock

    steps = list(AuditEvent.objects.filter(object_type="rma.orderline", verb__startswith="line."))
    assert steps and all("at" in e.data for e in steps)
    line = OrderLine.objects.filter(state="closed").select_related("order").order_by("pk").first()
    approve = next(e for e in steps if e.object_id == str(line.pk) and e.verb in ("line.approve",
                                                                                   "line.approve_advance"))
    page = client_for(service_center).get(f"/rma/orders/{line.order_id}/").content.decode()
    timeline = page.split("timeline", 1)[1]
    assert f"第 {line.position} 台" in timeline
    assert f"{clock.localtime(datetime.fromisoformat(approve.data['at'])):%Y-%m-%d %H:%M}" in timeline
