"""Registry services: validation in Chinese, normalization, one audit row per change."""

from datetime import date

import pytest

from shouhou.core.models import AuditEvent
from shouhou.domain.errors import Invalid
from shouhou.registry import services
from shouhou.registry.models import Unit
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


def test_unit_serial_is_normalized(dealer_a):
    unit = make_unit(" snd200 - 01 ", make_model(), dealer=dealer_a)
    assert unit.serial == "SND200-01"


def test_sold_before_shipped_is_refused_and_nothing_is_written(dealer_a):
    with pytest.raises(Invalid, match="售出日期不能早于发货日期"):
        make_unit("SND-1", make_model(), dealer=dealer_a, shipped_on=date(2025, 2, 1), sold_on=date(2025, 1, 1))
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.filter(verb="unit.created").exists()


def test_unknown_region_codes_are_refused(dealer_a):
    with pytest.raises(Invalid, match="地区代码 999999 不存在"):
        services.dealer_update(actor=None, dealer=dealer_a, region_codes=["450100", "999999"])
    with pytest.raises(Invalid, match="地区代码"):
        make_unit("SND-2", make_model(), dealer=dealer_a, region_code="999999")


def test_customer_of_another_dealer_is_refused(dealer_a, dealer_b):
    customer = services.customer_create(actor=None, name="广州网鱼", dealer=dealer_b)
    with pytest.raises(Invalid, match="不属于该设备的代理商"):
        make_unit("SND-3", make_model(), dealer=dealer_a, customer=customer)


def test_one_audit_row_per_change_and_none_for_no_change(dealer_a, service_center):
    unit = make_unit("SND-4", make_model(), dealer=dealer_a)
    services.unit_update(actor=service_center, unit=unit, status="in_repair")
    services.unit_update(actor=service_center, unit=unit, status="in_repair")
    events = AuditEvent.objects.filter(object_id=str(unit.pk), object_type="registry.unit")
    assert sorted(events.values_list("verb", flat=True)) == ["unit.created", "unit.updated"]
    updated = events.get(verb="unit.updated")
    assert updated.data == {"changes": {"status": ["in_service", "in_repair"]}}
    assert updated.dealer_id == dealer_a.pk


def test_dealer_regions_are_replaced(dealer_a):
    services.dealer_update(actor=None, dealer=dealer_a, region_codes=["450100", "450300"])
    services.dealer_update(actor=None, dealer=dealer_a, region_codes=["450300", "450200"])
    assert sorted(dealer_a.regions.values_list("region_code", flat=True)) == ["450200", "450300"]
    assert AuditEvent.objects.filter(verb="dealer.updated").count() == 2


def test_fields_outside_the_service_are_refused(dealer_a):
    unit = make_unit("SND-5", make_model(), dealer=dealer_a)
    with pytest.raises(Invalid, match="不能修改的字段"):
        services.unit_update(actor=None, unit=unit, replaces=None)


def test_demo_data_covers_every_status_and_is_idempotent(db):
    import io

    from django.utils import timezone

    from shouhou.core.demo import load_demo as core_demo
    from shouhou.registry.demo import load_demo
    from shouhou.registry.selectors import coverage_today_map

    core_demo(io.StringIO())
    load_demo(io.StringIO())
    count = Unit.objects.count()
    load_demo(io.StringIO())
    assert Unit.objects.count() == count >= 250
    units = list(Unit.objects.select_related("product_model"))
    statuses = {c.status.value if c else None for c in coverage_today_map(units, timezone.localdate()).values()}
    assert statuses == {"replacement", "warranty", "out_of_warranty", "discontinued", None}
    assert Unit.objects.filter(replaces__replaces__isnull=False).exists()  # a chain of two replacements
