"""The case page shows its unit's latest cloud-management snapshot and what changed since the one
before (the unit page's partial)."""

import pytest

from shouhou.registry.services import unit_snapshot_record
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db

FIRST = {"cpu": "2× Xeon Silver 4210", "memory_gb": 64, "bios": "2.1.6", "disks": [{"slot": 0, "model": "ST4000"}]}
SECOND = {"cpu": "2× Xeon Silver 4210", "memory_gb": 128, "disks": [{"slot": 0, "model": "ST4000"},
                                                                    {"slot": 1, "model": "ST8000NM"}]}


def test_case_page_shows_the_units_latest_snapshot_and_its_changes(client_for, cs, unit_a, open_case, alice):
    case = open_case(serial="SNA0001")
    page = client_for(cs).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="snapshot"' in page and "云管理平台尚未上报配置快照" in page
    unit_snapshot_record(actor=None, unit=unit_a, config=FIRST, taken_at=at("2026-02-09 09:00"))
    unit_snapshot_record(actor=None, unit=unit_a, config=SECOND, taken_at=at("2026-02-10 09:00"))
    page = client_for(cs).get(f"/cases/{case.pk}/").content.decode()
    assert "采集于 2026-02-10 09:00" in page and "与 2026-02-09 09:00 的快照相比" in page
    assert 'data-change="changed"' in page and "memory_gb" in page
    assert 'data-change="removed"' in page and "bios" in page
    assert 'data-change="added"' in page and "disks[1]" in page
    assert 'href="/units/SNA0001/"' in page


def test_case_without_a_unit_has_no_snapshot_section(client_for, cs, open_case):
    case = open_case()
    assert 'id="snapshot"' not in client_for(cs).get(f"/cases/{case.pk}/").content.decode()


def test_another_dealers_case_stays_a_404(client_for, bob, unit_a, open_case):
    case = open_case(serial="SNA0001")
    unit_snapshot_record(actor=None, unit=unit_a, config=FIRST, taken_at=at("2026-02-09 09:00"))
    assert client_for(bob).get(f"/portal/cases/{case.pk}/").status_code == 404
