"""Staff pages: unit search, unit page, dealers, product models, customers, and their forms."""

from datetime import date

import pytest

from shouhou.core.models import AuditEvent
from shouhou.registry import services
from shouhou.registry.models import Dealer, Unit
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client_for, service_center):
    return client_for(service_center)


@pytest.fixture
def units(dealer_a, dealer_b):
    model = make_model("SN-D200")
    other = make_model("SN-S380", warranty_months=24)
    made = [make_unit(f"SND200-2501-{i:04d}", model, dealer=dealer_a, region_code="450100") for i in range(30)]
    made += [make_unit(f"SNS380-2502-{i:04d}", other, dealer=dealer_b, region_code="440100") for i in range(30)]
    made.append(make_unit("SND200-SPARE-0001", model))
    return made


def test_unit_list_shows_a_page_of_50_with_coverage(staff, units):
    page = staff.get("/units/").content.decode()
    assert page.count('data-coverage="') == 50
    assert "第 1 / 2 页，共 61 条" in page
    assert "南宁市" in page


def test_unit_list_query_count_is_fixed(staff, units, django_assert_num_queries):
    staff.get("/units/")  # warm the session and the user's roles
    # session, user, groups (roles), count, page, model and dealer filter options
    with django_assert_num_queries(7):
        assert staff.get("/units/").status_code == 200


@pytest.mark.parametrize(("query", "expected"), [
    ("q=snd200-2501-000", 10),
    ("model=SN-S380", 30),
    ("dealer=GX-A01", 30),
    ("region=450000", 30),  # a province matches its cities
    ("region=440100", 30),
    ("status=in_stock", 1),
    ("status=nonsense", 0),
    ("model=SN-D200&dealer=GD-B02", 0),
])
def test_unit_search_filters(staff, units, query, expected):
    page = staff.get(f"/units/?{query}").content.decode()
    assert page.count('data-coverage="') == expected


def test_unit_list_empty_state_and_export_links(staff, units):
    page = staff.get("/units/?q=ZZZ").content.decode()
    assert "没有符合条件的设备" in page
    assert "/units/export.xlsx?q=ZZZ" in page
    assert "/units/labels.pdf?format=a4&amp;q=ZZZ" in page


def test_unit_page_shows_dates_coverage_chain_and_timeline(staff, units, dealer_a):
    original = units[0]
    new = make_unit("SND200-2507-0100", original.product_model, dealer=dealer_a, shipped_on=date(2025, 7, 1))
    Unit.objects.filter(pk=new.pk).update(replaces=original)
    services.unit_update(actor=None, unit=original, status="replaced")
    page = staff.get(f"/units/{original.serial}/").content.decode()
    assert "SND200-2507-0100" in page and "替换机" in page
    assert "unit.updated" in page and "unit.created" in page
    assert "暂无服务记录" in page
    page = staff.get(f"/units/{new.serial}/").content.decode()
    assert "沿用原机" in page and "2025-01-10" in page


def test_unknown_unit_page_is_404(staff, units):
    assert staff.get("/units/NO-SUCH/").status_code == 404


def test_dealer_page_counts_units_by_status_and_lists_regions(staff, units, dealer_a):
    services.dealer_update(actor=None, dealer=dealer_a, region_codes=["450100", "450300"])
    page = staff.get("/dealers/GX-A01/").content.decode()
    assert 'data-stat="total">30<' in page
    assert "南宁市、桂林市" in page


def test_model_pages(staff, units):
    assert "SN-S380" in staff.get("/models/").content.decode()
    assert "设备总数" in staff.get("/models/SN-D200/").content.decode()
    assert staff.get("/models/NOPE/").status_code == 404


def test_create_a_unit_through_the_form(staff, units, dealer_a):
    model = units[0].product_model
    response = staff.post("/units/new/", {"serial": " snd200-2601-9999 ", "product_model": model.pk,
                                           "shipped_on": "2026-01-05", "sold_on": "2026-01-08",
                                           "dealer": dealer_a.pk, "region_code": "450100", "status": "in_service"})
    assert response.status_code == 302
    assert response["Location"] == "/units/SND200-2601-9999/"
    assert AuditEvent.objects.filter(verb="unit.created", data__serial="SND200-2601-9999").count() == 1


def test_unit_form_refuses_a_sale_before_shipping(staff, units):
    model = units[0].product_model
    response = staff.post("/units/new/", {"serial": "SND200-X", "product_model": model.pk, "status": "in_stock",
                                           "shipped_on": "2026-01-05", "sold_on": "2026-01-01"})
    assert response.status_code == 400
    assert "售出日期不能早于发货日期" in response.content.decode()
    assert not Unit.objects.filter(serial="SND200-X").exists()


def test_unit_form_refuses_a_duplicate_serial(staff, units):
    model = units[0].product_model
    response = staff.post("/units/new/", {"serial": units[0].serial.lower(), "product_model": model.pk,
                                           "status": "in_stock"})
    assert response.status_code == 400
    assert "已存在" in response.content.decode()


def test_edit_a_unit_records_what_changed(staff, units):
    unit = units[0]
    response = staff.post(f"/units/{unit.serial}/edit/", {
        "serial": unit.serial, "product_model": unit.product_model_id, "shipped_on": "2025-01-10",
        "sold_on": "2025-02-01", "dealer": unit.dealer_id, "region_code": "450100", "status": "in_service"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(verb="unit.updated").get()
    assert event.data["changes"] == {"sold_on": [None, "2025-02-01"]}


def test_dealer_form_with_served_regions_by_name(staff):
    response = staff.post("/dealers/new/", {"code": "GX-LZ09", "name": "柳州测试电脑",
                                            "served_regions": "柳州、桂林 450100", "active": "on"})
    assert response.status_code == 302
    dealer = Dealer.objects.get(code="GX-LZ09")
    assert sorted(dealer.regions.values_list("region_code", flat=True)) == ["450100", "450200", "450300"]


def test_dealer_form_refuses_an_unknown_region(staff):
    response = staff.post("/dealers/new/", {"code": "GX-LZ09", "name": "x", "served_regions": "火星"})
    assert response.status_code == 400
    assert "未知地区：火星" in response.content.decode()


def test_model_and_customer_forms(staff, dealer_a):
    response = staff.post("/models/new/", {"code": "SN-Q1", "name": "测试", "replacement_days": "30",
                                           "warranty_months": "12", "active": "on"})
    assert response.status_code == 302
    response = staff.post("/models/new/", {"code": "bad code!", "name": "", "replacement_days": "-1",
                                           "warranty_months": "x"})
    assert response.status_code == 400
    response = staff.post("/customers/new/", {"name": "桂林极速电竞馆", "region_code": "450300", "dealer": dealer_a.pk})
    assert response.status_code == 302
    assert "桂林极速电竞馆" in staff.get("/customers/").content.decode()


def test_nav_shows_registry_sections(staff, client_for, alice):
    page = staff.get("/").content.decode()
    for label in ("设备", "代理商", "产品型号", "保修查询"):
        assert label in page
    dealer_page = client_for(alice).get("/").content.decode()
    assert 'href="/units/"' in dealer_page and 'href="/dealers/"' not in dealer_page
