"""Public pages: warranty check, find my dealer, one code per unit; no login, no customer data."""

import re
from datetime import date

import pytest

from shouhou.registry import services, throttle
from tests.registry.registry_factories import make_model, make_unit, public_rate_off  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_rate_off")]


@pytest.fixture
def unit(dealer_a):
    services.dealer_update(actor=None, dealer=dealer_a, region_codes=["450100", "450300"])
    customer = services.customer_create(actor=None, name="南宁星际网咖", phone="0771-5561234", dealer=dealer_a)
    return make_unit("SND200-2501-0001", make_model(), dealer=dealer_a, shipped_on=date(2025, 1, 5),
                     sold_on=date(2025, 1, 10), customer=customer)


def test_warranty_check_shows_coverage_and_the_dealer_without_customer_data(client, unit):
    response = client.get("/warranty/?serial=snd200-2501-0001")
    page = response.content.decode()
    assert response.status_code == 200
    assert "SN-D200" in page and "2025-01-10" in page and "2028-01-09" in page
    assert "南宁甲电脑" in page and "0771-1000001" in page
    assert "南宁星际网咖" not in page and "0771-5561234" not in page
    assert "<script>" not in page  # works without JavaScript; no inline script either


def test_warranty_form_alone_is_200(client):
    page = client.get("/warranty/").content.decode()
    assert 'method="get"' in page and 'name="serial"' in page


def test_unknown_serials_answer_the_same_whether_or_not_a_near_match_exists(client, unit):
    near = client.get("/warranty/?serial=SND200-2501-0002")
    far = client.get("/warranty/?serial=XXXXXX-9999-0002")
    assert near.status_code == far.status_code == 404
    token = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')  # differs per response
    near_text = token.sub("", near.content.decode().replace("SND200-2501-0002", ""))
    far_text = token.sub("", far.content.decode().replace("XXXXXX-9999-0002", ""))
    assert near_text == far_text
    assert "没有找到该序列号的设备" in near_text


def test_unit_page_one_code_per_unit(client, unit):
    page = client.get("/u/SND200-2501-0001").content.decode()
    assert "保修期内" in page or "已过保" in page
    assert "400-099-7500" in page and "周一至周六 10:15–18:30" in page
    assert "南宁甲电脑" in page and "南宁星际网咖" not in page
    assert client.get("/u/NOPE-0001").status_code == 404


def test_hotline_comes_from_settings(client, unit, settings):
    settings.HOTLINE = "400-123-4567"
    assert "400-123-4567" in client.get("/u/SND200-2501-0001").content.decode()


def test_unit_page_of_a_spare_in_vendor_stock(client):
    make_unit("SND200-SPARE-01", make_model())
    page = client.get("/u/SND200-SPARE-01").content.decode()
    assert "未售出" in page and "400-099-7500" in page


def test_find_dealer_by_serial(client, unit):
    page = client.get("/dealers/find/?serial=SND200-2501-0001").content.decode()
    assert 'data-dealer="GX-A01"' in page


def test_find_dealer_by_city_and_by_province(client, unit, dealer_b):
    services.dealer_update(actor=None, dealer=dealer_b, region_codes=["450000"])  # serves all of 广西
    page = client.get("/dealers/find/?province=450000&city=450300").content.decode()
    assert 'data-dealer="GX-A01"' in page and 'data-dealer="GD-B02"' in page
    page = client.get("/dealers/find/?province=450000&city=450500").content.decode()  # 北海: province only
    assert 'data-dealer="GX-A01"' not in page and 'data-dealer="GD-B02"' in page
    page = client.get("/dealers/find/?province=450000").content.decode()
    assert 'name="city"' in page and "桂林市" in page  # the city select appears without JavaScript


def test_find_dealer_in_a_region_nobody_serves(client, unit):
    page = client.get("/dealers/find/?province=650000").content.decode()
    assert 'data-result="no-dealer"' in page


def test_public_pages_are_rate_limited_with_a_clear_429_page(client, unit, settings):
    settings.PUBLIC_RATE = "2/m"
    throttle.reset()
    try:
        assert client.get("/warranty/").status_code == 200
        assert client.get("/dealers/find/").status_code == 200
        response = client.get("/u/SND200-2501-0001")
        assert response.status_code == 429
        assert "请求过于频繁" in response.content.decode()
        assert 1 <= int(response["Retry-After"]) <= 60  # the rest of the one-minute window
    finally:
        throttle.reset()
