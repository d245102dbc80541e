"""`serve --demo` has callers the hotline screen recognises, and a unit with hardware snapshots."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from shouhou.core.bootstrap import ensure_admin, load_demo

    out = io.StringIO()
    ensure_admin(out)
    load_demo(out)
    return out.getvalue()


def test_demo_callers_are_recognised_by_phone(demo, service_center):
    from shouhou.registry.callers import callers_for

    cafe = callers_for(service_center, phone="(0771) 556-1234")
    assert [c.name for c in cafe.customers] == ["南宁星际网咖"]
    assert cafe.customers[0].dealer_code == "GX-NN01" and cafe.customers[0].units
    assert [u.serial for u in cafe.units] == [u.serial for u in cafe.customers[0].units]
    dealer = callers_for(service_center, phone="+86 138 7710 5566")
    assert [(d.code, d.contact) for d in dealer.dealers] == [("GX-NN01", "黄海")]  # main contact and contact
    main = callers_for(service_center, phone="0771 5882301")
    assert {(d.code, d.contact, d.matched_by) for d in main.dealers} == {("GX-NN01", "黄海", "phone")}
    desk = callers_for(service_center, phone="0771-5882302")
    assert {(d.code, d.contact, d.matched_by) for d in desk.dealers} == {("GX-NN01", "蒙丽", "contact")}


def test_demo_unit_has_two_snapshots_with_changes(demo):
    from shouhou.registry.demo import FIRST_SERIAL
    from shouhou.registry.models import Unit
    from shouhou.registry.selectors import unit_snapshot_history

    entries = unit_snapshot_history(Unit.objects.get(serial=FIRST_SERIAL))
    assert len(entries) == 2
    assert {c.where for c in entries[0].changes.changed} == {"memory_gb", "disks[1].model", "diskless.version"}


def test_a_second_demo_load_adds_no_contacts_or_snapshots(demo):
    from shouhou.core.bootstrap import load_demo
    from shouhou.registry.models import DealerContact, UnitSnapshot

    counts = DealerContact.objects.count(), UnitSnapshot.objects.count()
    load_demo(io.StringIO())
    assert (DealerContact.objects.count(), UnitSnapshot.objects.count()) == counts
