"""Units export to xlsx: the unit search filters, dealer scoping, coverage today."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shouhou.registry.exports import HEADERS, units_export_xlsx
from shouhou.registry.models import ProductModel, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(dealer_a, dealer_b):
    model = ProductModel.objects.create(code="AB-1", name="路由器", replacement_days=15, warranty_months=12)
    today = timezone.localdate()
    return [
        Unit.objects.create(serial="A-0001", product_model=model, dealer=dealer_a, region_code="450100",
                            shipped_on=today - timedelta(days=3), status="with_dealer"),
        Unit.objects.create(serial="A-0002", product_model=model, dealer=dealer_a, shipped_on=date(2020, 1, 1),
                            status="with_dealer"),
        Unit.objects.create(serial="B-0001", product_model=model, dealer=dealer_b, shipped_on=date(2024, 1, 1)),
        Unit.objects.create(serial="S-0001", product_model=model),
    ]


def rows_of(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_writes_chinese_headers_and_coverage_today(units):
    path = units_export_xlsx(Unit.objects.all())
    try:
        rows = rows_of(path.read_bytes())
    finally:
        path.unlink()
    assert rows[0] == HEADERS
    by_serial = {r[0]: r for r in rows[1:]}
    assert by_serial["A-0001"][1:4] == ["AB-1", "南宁甲电脑", "南宁市"]
    assert by_serial["A-0001"][6:] == ["在代理商", "包换期内"]
    assert by_serial["A-0002"][7] == "已过保"
    assert by_serial["S-0001"][7] == "未起保"


def test_dealer_export_contains_only_its_own_units(units, alice, client_for):
    response = client_for(alice).get(reverse("unit_export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = rows_of(b"".join(response.streaming_content))
    assert [r[0] for r in rows[1:]] == ["A-0001", "A-0002"]


def test_staff_export_takes_the_unit_search_filters(units, service_center, client_for):
    client = client_for(service_center)
    rows = rows_of(b"".join(client.get(reverse("unit_export_xlsx"), {"q": "a-"}).streaming_content))
    assert [r[0] for r in rows[1:]] == ["A-0001", "A-0002"]
    rows = rows_of(b"".join(client.get(reverse("unit_export_xlsx"), {"dealer": "GD-B02"}).streaming_content))
    assert [r[0] for r in rows[1:]] == ["B-0001"]
    rows = rows_of(b"".join(client.get(reverse("unit_export_xlsx"), {"region": "450000"}).streaming_content))
    assert [r[0] for r in rows[1:]] == ["A-0001"]


def test_export_needs_a_login(units, client):
    assert client.get(reverse("unit_export_xlsx")).status_code == 302
