"""One source for business hours: the public pages show the calendar's settings, the same ones
the case pickup times come from."""

from datetime import time

import pytest

from shouhou.cases import services
from shouhou.registry import throttle
from shouhou.workdays.services import calendar_settings_update
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_limit(settings):
    settings.PUBLIC_RATE = "off"
    throttle.reset()


def test_public_footer_shows_the_default_calendar_hours(client):
    assert "服务时间 周一至周六 10:15–18:30" in client.get("/warranty/").content.decode()


def test_changing_the_calendar_changes_the_footer_and_the_pickup_time(client, unit_a, admin_user):
    calendar_settings_update(actor=admin_user, weekdays={0, 1, 2, 3, 4}, opens=time(9, 0), closes=time(17, 30),
                             time_zone="Asia/Shanghai")
    for path in ("/warranty/", "/u/SNA0001", "/faq/", "/cases/status/"):
        assert "周一至周五 09:00–17:30" in client.get(path).content.decode(), path
    # Saturday is no longer a working day: a report on Saturday is picked up Monday 09:00.
    case = services.case_report(unit=unit_a, name="", phone="13800138000", description="蓝屏",
                                now=at("2026-03-07 11:00"))
    assert case.pickup_at == at("2026-03-09 09:00")


def test_a_pattern_with_gaps_is_listed_day_by_day(client, admin_user):
    calendar_settings_update(actor=admin_user, weekdays={0, 2, 4}, opens=time(10, 15), closes=time(18, 30),
                             time_zone="Asia/Shanghai")
    assert "服务时间 周一、周三、周五 10:15–18:30" in client.get("/dealers/find/").content.decode()


def test_the_separate_setting_is_gone(settings):
    assert not hasattr(settings, "SERVICE_HOURS")
