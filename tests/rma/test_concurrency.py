"""Concurrent events on real PostgreSQL: one winner per version, gap-free RMA numbers.

Real threads, each with its own connection, against committed data (`transaction=True`).
SQLite serialises writers at BEGIN (IMMEDIATE), so it cannot show a race: it runs the serial
variant, which still checks that numbers are gap-free and start again each year.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shouhou.core.roles import Role
from shouhou.domain.errors import ShouhouError
from shouhou.rma.models import OrderLine, ServiceOrder
from shouhou.rma.services import line_apply, order_submit

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: SQLite serialises writers, so threads cannot race there")

TZ = ZoneInfo("Asia/Shanghai")
SUBMITTED = datetime(2025, 9, 26, 10, 0, tzinfo=TZ)
APPROVED = datetime(2025, 9, 26, 15, 0, tzinfo=TZ)


@pytest.fixture
def roles(db: None) -> None:
    # A transactional test flushes the tables, role groups from the data migration included.
    from django.contrib.auth.models import Group

    for role in Role.values:
        Group.objects.get_or_create(name=role)


def submit_orders(n: int, *, dealer: Any, actor: Any, make_unit: Callable[..., Any]) -> list[ServiceOrder]:
    orders = []
    for i in range(n):
        unit = make_unit(f"SN-RACE-{i:04d}")
        orders.append(order_submit(dealer=dealer, actor=actor, contact_name="李工", contact_phone="1380000",
                                   return_address="南宁", submitted_at=SUBMITTED, topology_required=False,
                                   lines=[{"serial": unit.serial, "fault": "无法开机"}]))
    return orders


def in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in N threads released together; returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (collected, asserted by the test)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_of_one_line_have_one_winner(roles, dealer_a, make_user, make_unit):
    staff = make_user("service_center")
    [order] = submit_orders(1, dealer=dealer_a, actor=staff, make_unit=make_unit)
    line = order.lines.get()

    results = in_threads(20, lambda i: line_apply(line=OrderLine.objects.get(pk=line.pk), event="approve",
                                                  actor=staff, version=1, at=APPROVED))
    winners = [r for r in results if isinstance(r, OrderLine)]
    losers = [r for r in results if isinstance(r, ShouhouError)]
    assert len(winners) == 1 and len(losers) == 19, results
    assert {(e.status, e.code) for e in losers} == {(409, "stale_version")}
    line.refresh_from_db()
    assert (line.state, line.version) == ("approved", 2)
    assert ServiceOrder.objects.get().number == "RMA2025-000001"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_of_twenty_orders_get_numbers_without_gaps(roles, dealer_a, make_user, make_unit):
    staff = make_user("service_center")
    orders = submit_orders(20, dealer=dealer_a, actor=staff, make_unit=make_unit)
    lines = [o.lines.get() for o in orders]

    results = in_threads(20, lambda i: line_apply(line=lines[i], event="approve", actor=staff, version=1,
                                                  at=APPROVED))
    assert all(isinstance(r, OrderLine) for r in results), results
    numbers = sorted(ServiceOrder.objects.values_list("number", flat=True))
    assert numbers == [f"RMA2025-{i:06d}" for i in range(1, 21)]


@pytest.mark.django_db
def test_rma_numbers_are_gap_free_in_order_and_restart_each_year(dealer_a, service_center, make_unit):
    orders = submit_orders(5, dealer=dealer_a, actor=service_center, make_unit=make_unit)
    for order in orders[:3]:
        line_apply(line=order.lines.get(), event="approve", actor=service_center, version=1, at=APPROVED)
    # A refused approval allocates nothing.
    with pytest.raises(ShouhouError):
        line_apply(line=orders[0].lines.get(), event="approve", actor=service_center, version=2, at=APPROVED)
    next_year = datetime(2026, 1, 5, 10, 0, tzinfo=TZ)
    line_apply(line=orders[3].lines.get(), event="approve", actor=service_center, version=1, at=next_year)
    line_apply(line=orders[4].lines.get(), event="reject", actor=service_center, version=1, at=next_year,
               fields={"reason": "非我司产品"})
    numbers = list(ServiceOrder.objects.order_by("pk").values_list("number", flat=True))
    assert numbers == ["RMA2025-000001", "RMA2025-000002", "RMA2025-000003", "RMA2026-000001", None]


@pytest.mark.django_db
def test_a_second_line_of_an_approved_order_keeps_the_orders_number(dealer_a, service_center, make_unit):
    a, b = make_unit("SN-TWO-0001"), make_unit("SN-TWO-0002")
    order = order_submit(dealer=dealer_a, actor=service_center, contact_name="李工", contact_phone="1",
                         return_address="南宁", submitted_at=SUBMITTED, topology_required=False,
                         lines=[{"serial": a.serial, "fault": "x"}, {"serial": b.serial, "fault": "y"}])
    first, second = order.lines.order_by("position")
    line_apply(line=first, event="approve", actor=service_center, version=1, at=APPROVED)
    line_apply(line=second, event="approve", actor=service_center, version=1, at=APPROVED)
    order.refresh_from_db()
    assert order.number == "RMA2025-000001"
    from shouhou.rma.models import RmaNumber

    assert RmaNumber.objects.get(year=2025).last == 1
