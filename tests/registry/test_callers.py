"""Caller recognition: who is calling, by phone in any written form or by serial, staff only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shouhou.domain.errors import NotFound
from shouhou.registry import services
from shouhou.registry.callers import CallerQueryMissing, PhoneInvalid, callers_for
from shouhou.rma.services import order_submit
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 9, 26)

# The three forms of DESIGN §6, and a few more a telephony system or a person sends.
LANDLINE_FORMS = ["0771-556 1234", "07715561234", "(0771)5561234", "+86 771 5561234", "0771-5561234 转 8001"]
MOBILE_FORMS = ["+86 138 0013 8000", "13800138000", "0086-138-0013-8000", "１３８００１３８０００"]


@pytest.fixture
def world(dealer_a, dealer_b, service_center):
    """Dealer A's contact, a customer of dealer B on a cafe landline with two units, an open order."""
    services.dealer_update(actor=None, dealer=dealer_a, contact_name="黄志强", mobile="138 0013 8000")
    contact = services.dealer_contact_create(actor=None, dealer=dealer_a, name="韦小宝", role="技术",
                                             phone="0771-5550000", qq="12345678")
    cafe = services.customer_create(actor=None, name="星际网咖（民族大道店）", contact_name="陆老板",
                                    phone="0771-556 1234", dealer=dealer_b)
    model = make_model()
    unit1 = make_unit("SND2001", model, dealer=dealer_b, customer=cafe)
    unit2 = make_unit("SND2002", model, dealer=dealer_b, customer=cafe, shipped_on=date(2020, 1, 10))
    stock = make_unit("SND2003", model, dealer=dealer_a)
    order = order_submit(dealer=dealer_b, actor=service_center, contact_name="陆老板", contact_phone="0771-5561234",
                         return_address="南宁", submitted_at=datetime(2025, 9, 25, 10, tzinfo=SHANGHAI),
                         topology_required=False, lines=[{"serial": "SND2001", "fault": "无法开机"}])
    return {"contact": contact, "cafe": cafe, "units": (unit1, unit2, stock), "order": order}


@pytest.mark.parametrize("phone", LANDLINE_FORMS)
def test_a_customer_is_recognised_by_any_form_of_its_landline(world, service_center, dealer_b, phone):
    match = callers_for(service_center, phone=phone, today=TODAY)
    assert [c.name for c in match.customers] == ["星际网咖（民族大道店）"]
    customer = match.customers[0]
    assert customer.dealer_code == dealer_b.code
    assert [u.serial for u in customer.units] == ["SND2001", "SND2002"]
    assert [u.coverage.status.value for u in customer.units] == ["warranty", "out_of_warranty"]
    assert [u.serial for u in match.units] == ["SND2001", "SND2002"]
    assert match.dealers == ()
    assert [item.key for item in match.open_orders] == [world["order"].pk]


@pytest.mark.parametrize("phone", MOBILE_FORMS)
def test_a_dealer_is_recognised_by_its_mobile_in_any_form(world, service_center, dealer_a, phone):
    match = callers_for(service_center, phone=phone, today=TODAY)
    assert [(d.code, d.contact, d.phone, d.matched_by) for d in match.dealers] == [
        ("GX-A01", "黄志强", "138 0013 8000", "phone")]
    assert match.customers == ()


def test_a_dealer_contact_is_recognised_with_its_name(world, service_center):
    match = callers_for(service_center, phone="+86 771 555 0000", today=TODAY)
    assert [(d.code, d.contact, d.phone, d.matched_by) for d in match.dealers] == [
        ("GX-A01", "韦小宝", "0771-5550000", "contact")]


def test_a_serial_brings_its_dealer_customer_and_open_orders(world, service_center):
    match = callers_for(service_center, serial=" snd2001 ", today=TODAY)
    assert [(d.code, d.matched_by) for d in match.dealers] == [("GD-B02", "unit")]
    assert [c.name for c in match.customers] == ["星际网咖（民族大道店）"]
    assert [u.serial for u in match.units] == ["SND2001", "SND2002"]
    assert [item.label for item in match.open_orders] == [f"待审核服务单 #{world['order'].pk}"]  # not yet approved


def test_an_unknown_number_matches_nothing(world, service_center):
    match = callers_for(service_center, phone="0771-9999999", today=TODAY)
    assert not match.found
    assert match.open_orders == ()


def test_bad_queries_are_refused_with_a_code(world, service_center):
    with pytest.raises(CallerQueryMissing):
        callers_for(service_center, phone="  ", serial="")
    with pytest.raises(PhoneInvalid):
        callers_for(service_center, phone="无号码")


def test_dealers_may_not_look_up_callers(world, alice):
    with pytest.raises(NotFound):
        callers_for(alice, phone="0771-5561234")


def test_lookup_runs_a_fixed_number_of_queries(world, dealer_b, service_center, django_assert_num_queries):
    model = world["units"][0].product_model
    for i in range(10):
        make_unit(f"SNDX{i:03d}", model, dealer=dealer_b, customer=world["cafe"])
        services.customer_create(actor=None, name=f"网咖{i}", phone=f"0771-556 1234 转 {i}", dealer=dealer_b)
    service_center.roles  # noqa: B018  (the roles are cached on the user after the first check)
    # dealers, contacts, customers, their units, open cases, open orders
    with django_assert_num_queries(6):
        match = callers_for(service_center, phone="07715561234", today=TODAY)
    assert len(match.customers) == 11
    assert len(match.units) == 12
    # + the unit by serial
    with django_assert_num_queries(7):
        callers_for(service_center, phone="07715561234", serial="SND2003", today=TODAY)
    # unit by serial, its customer's units, open cases, open orders
    with django_assert_num_queries(4):
        callers_for(service_center, serial="SND2001", today=TODAY)


# --- API ------------------------------------------------------------------------------------
def _get(client, token, **params):
    return client.get("/api/v1/callers", params, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("phone", ["0771-556 1234", "07715561234", "+86 771 556 1234"])
def test_api_answers_exactly_the_documented_shape(world, client, token_for, service_center, phone):
    response = _get(client, token_for(service_center), phone=phone)
    assert response.status_code == 200
    assert response.json() == {
        "dealers": [],
        "customers": [{"id": world["cafe"].pk, "name": "星际网咖（民族大道店）", "phone": "0771-556 1234",
                       "dealer": "GD-B02"}],
        "units": ["SND2001", "SND2002"],
        "open_cases": [],
        "open_orders": [world["order"].pk],
    }


def test_api_finds_a_dealer_by_mobile_with_country_code(world, client, token_for, service_center):
    body = _get(client, token_for(service_center), phone="+86 138 0013 8000").json()
    assert body["dealers"] == [{"code": "GX-A01", "name": "南宁甲电脑", "contact": "黄志强",
                                "phone": "138 0013 8000"}]


def test_api_refuses_bad_queries_with_stable_codes(world, client, token_for, service_center):
    token = token_for(service_center)
    missing = _get(client, token)
    assert (missing.status_code, missing.json()["code"]) == (422, "caller_query_missing")
    invalid = _get(client, token, phone="none")
    assert (invalid.status_code, invalid.json()["code"]) == (422, "phone_invalid")


def test_api_hides_callers_from_dealers(world, client, token_for, alice, bob):
    for user in (alice, bob):
        response = _get(client, token_for(user), phone="0771-5561234")
        assert response.status_code == 404
        assert "星际" not in response.content.decode()


def test_api_documents_callers_with_an_example(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/callers"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"phone", "serial"}
    schema = spec["components"]["schemas"]["CallersOut"]
    assert schema["examples"][0]["open_cases"] == ["C2026-000123"]


# --- panel ----------------------------------------------------------------------------------
def test_panel_shows_customer_units_coverage_and_orders(world, client_for, service_center):
    client = client_for(service_center)
    body = client.get("/callers/panel", {"phone": "(0771)5561234"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body
    assert "星际网咖（民族大道店）" in body
    assert 'data-unit="SND2001"' in body and 'data-coverage="warranty"' in body
    assert f'/rma/orders/{world["order"].pk}/' in body
    assert f'/customers/{world["cafe"].pk}/edit/' in body


def test_panel_says_when_nobody_matches(world, client_for, service_center):
    body = client_for(service_center).get("/callers/panel", {"phone": "010-12345678"}).content.decode()
    assert "未找到匹配的代理商或客户" in body
    assert "<html" in body


def test_panel_explains_a_phone_without_digits(world, client_for, service_center):
    response = client_for(service_center).get("/callers/panel", {"phone": "abc"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "data-caller-error" in response.content.decode()


def test_panel_is_not_for_dealers(world, client_for, alice):
    assert client_for(alice).get("/callers/panel", {"phone": "0771-5561234"}).status_code == 404


def test_a_replacement_unit_keeps_its_originals_coverage(world, dealer_b, service_center):
    from shouhou.registry.models import Unit

    original = world["units"][1]  # shipped 2020-01-10: out of warranty
    new = make_unit("SND2009", original.product_model, dealer=dealer_b, customer=world["cafe"],
                    shipped_on=date(2025, 9, 1))
    Unit.objects.filter(pk=new.pk).update(replaces=original)  # as the tests of the unit page do
    match = callers_for(service_center, serial="SND2009", today=TODAY)
    coverage = {u.serial: u.coverage.status.value for u in match.units}
    assert coverage == {"SND2009": "out_of_warranty", "SND2001": "warranty", "SND2002": "out_of_warranty"}
