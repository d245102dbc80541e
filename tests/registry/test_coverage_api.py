"""GET /api/v1/units/{serial}/coverage: public, rate-limited, the DESIGN §2 rules on boundary days."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouhou.registry import throttle
from shouhou.registry.models import Unit
from tests.registry.registry_factories import make_model, make_unit, public_rate_off  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_rate_off")]

KEYS = {"serial", "model", "coverage", "warranty_start", "replacement_end", "warranty_end", "days_left", "dealer"}


@pytest.fixture
def unit(dealer_a):
    # Sold 2025-01-10: replacement ends 2025-04-09 (90 days), warranty ends 2026-01-09 (12 months).
    model = make_model("SN-D200", replacement_days=90, warranty_months=12)
    return make_unit("SND200-2501-0001", model, dealer=dealer_a, shipped_on=date(2025, 1, 5),
                     sold_on=date(2025, 1, 10))


def coverage(client, serial, on=None):
    url = f"/api/v1/units/{serial}/coverage" + (f"?on={on}" if on else "")
    return client.get(url)


@pytest.mark.parametrize(("on", "status", "days_left"), [
    ("2025-01-10", "replacement", 90),
    ("2025-04-08", "replacement", 2),
    ("2025-04-09", "replacement", 1),
    ("2025-04-10", "warranty", 275),
    ("2026-01-08", "warranty", 2),
    ("2026-01-09", "warranty", 1),
    ("2026-01-10", "out_of_warranty", None),
])
def test_coverage_on_boundary_days(client, unit, on, status, days_left):
    response = coverage(client, unit.serial, on)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == KEYS
    assert (body["coverage"], body["days_left"]) == (status, days_left)
    assert body["warranty_start"] == "2025-01-10"
    assert body["replacement_end"] == "2025-04-09"
    assert body["warranty_end"] == "2026-01-09"
    assert body["model"] == "SN-D200"
    assert body["dealer"] == {"code": "GX-A01", "name": "南宁甲电脑", "phone": "0771-1000001"}


def test_serial_is_normalized(client, unit):
    assert coverage(client, "snd200-2501-0001", "2025-02-01").json()["serial"] == "SND200-2501-0001"


def test_a_replacement_unit_keeps_the_original_start(client, unit, dealer_a):
    new = make_unit("SND200-2507-0009", unit.product_model, dealer=dealer_a, shipped_on=date(2025, 7, 1))
    Unit.objects.filter(pk=new.pk).update(replaces=unit)
    body = coverage(client, new.serial, "2025-07-02").json()
    assert body["warranty_start"] == "2025-01-10"
    assert body["coverage"] == "warranty"
    assert body["warranty_end"] == "2026-01-09"


def test_discontinued_model_after_the_warranty(client, dealer_a):
    model = make_model("SN-D100", replacement_days=90, warranty_months=12, discontinued_on=date(2025, 6, 30))
    old = make_unit("SND100-2401-0001", model, dealer=dealer_a, shipped_on=date(2024, 1, 5))
    assert coverage(client, old.serial, "2024-12-01").json()["coverage"] == "warranty"
    assert coverage(client, old.serial, "2025-02-01").json()["coverage"] == "out_of_warranty"
    assert coverage(client, old.serial, "2025-06-30").json()["coverage"] == "discontinued"


def test_zero_replacement_days_go_straight_to_warranty(client, dealer_a):
    model = make_model("SN-E500", replacement_days=0, warranty_months=12)
    unit = make_unit("SNE500-2501-0001", model, dealer=dealer_a, shipped_on=date(2025, 1, 10))
    body = coverage(client, unit.serial, "2025-01-10").json()
    assert body["coverage"] == "warranty"
    assert body["replacement_end"] == "2025-01-09"


def test_unknown_serial_is_404(client, unit):
    response = coverage(client, "SND200-2501-0002")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_day_before_the_warranty_start_is_422(client, unit):
    response = coverage(client, unit.serial, "2025-01-09")
    assert response.status_code == 422
    assert response.json()["warranty_start"] == "2025-01-10"


def test_a_malformed_day_is_422(client, unit):
    assert coverage(client, unit.serial, "2025-13-01").status_code == 422


def test_never_shipped_unit_is_422_with_a_clear_detail(client):
    spare = make_unit("SND200-SPARE-01", make_model())
    response = coverage(client, spare.serial)
    assert response.status_code == 422
    assert "尚未发货" in response.json()["detail"]


def test_dealer_is_null_for_a_unit_in_vendor_stock(client):
    returned = make_unit("SND200-BACK-01", make_model(), shipped_on=date(2025, 1, 10))
    assert coverage(client, returned.serial, "2025-02-01").json()["dealer"] is None


def test_day_defaults_to_today_in_shanghai(client, dealer_a):
    today = timezone.localdate()
    unit = make_unit("SND200-NEW-01", make_model(), dealer=dealer_a, shipped_on=today - timedelta(days=9))
    body = coverage(client, unit.serial).json()
    assert body["coverage"] == "replacement"
    assert body["days_left"] == 81


def test_coverage_lookup_is_one_query(client, unit, django_assert_num_queries):
    coverage(client, unit.serial, "2025-02-01")  # a fresh process reads the calendar (its time zone) once
    with django_assert_num_queries(1):
        assert coverage(client, unit.serial, "2025-02-01").status_code == 200


def test_over_the_rate_limit_is_429_json(client, unit, settings):
    settings.PUBLIC_RATE = "3/m"
    throttle.reset()
    try:
        statuses = [coverage(client, unit.serial, "2025-02-01").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        body = coverage(client, unit.serial, "2025-02-01").json()
        assert body["code"] == "rate_limited"
        assert body["detail"]
    finally:
        throttle.reset()


# --- the plain view in front of ninja's operation (shouhou.api.registry.plain_coverage_view) ----
def _ninja_operation_view():
    from shouhou.api.urls import api

    return next(p.callback for p in api.urls[0] if getattr(p, "name", None) == "unit_coverage")


@pytest.mark.parametrize(("method", "query"), [
    ("get", "on=2025-02-01"),
    ("get", ""),
    ("get", "on=2025-01-09"),  # before the warranty start: Invalid
    ("get", "on=2025-13-01"),  # no such day: ninja's validation error
    ("get", "on=2025-02-30"),
    ("get", "on=20250201"),
    ("get", "on="),
    ("get", "on=2025-02-01&on=2025-03-01"),
    ("get", "on=2025-02-01&utm=x"),
    ("get", "on=2025%2D02%2D01"),
    ("post", "on=2025-02-01"),
    ("head", "on=2025-02-01"),
])
@pytest.mark.parametrize("serial", ["SND200-2501-0001", "snd200-2501-0001", "SND200-2501-0002", "SND200-SPARE-01"])
def test_the_route_answers_as_the_ninja_operation_does(client, rf, unit, method, query, serial):
    make_unit("SND200-SPARE-01", unit.product_model)
    url = f"/api/v1/units/{serial}/coverage" + (f"?{query}" if query else "")
    served = getattr(client, method)(url)
    expected = _ninja_operation_view()(getattr(rf, method)(url), serial=serial)
    assert served.status_code == expected.status_code
    assert served.content == (b"" if method == "head" else expected.content)  # the handler drops HEAD bodies
    assert served["Content-Type"] == expected["Content-Type"]


def test_over_the_rate_limit_the_body_is_the_ninja_operations(client, rf, unit, settings):
    settings.PUBLIC_RATE = "0/m"
    throttle.reset()
    try:
        url = f"/api/v1/units/{unit.serial}/coverage?on=2025-02-01"
        served = client.get(url)
        expected = _ninja_operation_view()(rf.get(url), serial=unit.serial)
        assert served.status_code == expected.status_code == 429
        assert served.content == expected.content
    finally:
        throttle.reset()


def test_the_route_keeps_the_security_headers(client, unit):
    response = coverage(client, unit.serial, "2025-02-01")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_openapi_still_describes_the_route(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/units/{serial}/coverage"]["get"]
    assert {(p["in"], p["name"]) for p in operation["parameters"]} == {("path", "serial"), ("query", "on")}
    refs = {code: r["content"]["application/json"]["schema"]["$ref"] for code, r in operation["responses"].items()}
    assert refs == {"200": "#/components/schemas/CoverageOut", "404": "#/components/schemas/ErrorOut",
                    "422": "#/components/schemas/ErrorOut", "429": "#/components/schemas/ErrorOut"}
    assert "security" not in operation  # public


def test_the_coverage_route_is_resolved_once_and_first():
    from django.urls import get_resolver

    from shouhou.api.registry import plain_coverage_view

    patterns = get_resolver().url_patterns
    assert str(patterns[0].pattern) == "api/v1/units/<serial>/coverage"
    assert patterns[0].callback.__qualname__.startswith(plain_coverage_view.__qualname__)
    ninja_routes = [str(p.pattern) for p in patterns[1].url_patterns]
    assert "units/<serial>/coverage" not in ninja_routes
