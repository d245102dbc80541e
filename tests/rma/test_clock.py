"""One source of local time: the calendar's time zone, not Django's TIME_ZONE."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from shouhou.rma.models import ServiceOrder
from shouhou.rma.services import line_apply, order_submit
from shouhou.workdays import clock
from shouhou.workdays.selectors import calendar_cache_clear
from shouhou.workdays.services import calendar_settings_update


@pytest.fixture
def london(db):
    calendar_settings_update(actor=None, weekdays={0, 1, 2, 3, 4, 5}, opens=time(10, 15), closes=time(18, 30),
                             time_zone="Europe/London")
    calendar_cache_clear()
    yield
    calendar_cache_clear()


def test_clock_follows_the_calendars_time_zone(london):
    assert str(clock.now().tzinfo) == "Europe/London"
    late = datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 2026-01-01 01:00 in Shanghai
    assert clock.localtime(late).date().isoformat() == "2025-12-31"


def test_an_rma_number_takes_its_year_from_the_calendars_zone(london, dealer_a, service_center, make_unit):
    unit = make_unit("SN-CLOCK-0001")
    submitted = datetime(2025, 12, 31, 11, 0, tzinfo=UTC)
    order = order_submit(dealer=dealer_a, actor=service_center, contact_name="李工", contact_phone="1380000",
                         return_address="南宁", submitted_at=submitted, topology_required=False,
                         lines=[{"serial": unit.serial, "fault": "无法开机"}])
    line_apply(line=order.lines.get(), event="approve", actor=service_center, version=1,
               at=datetime(2025, 12, 31, 17, 0, tzinfo=UTC))
    assert ServiceOrder.objects.get().number == "RMA2025-000001"
