"""Staff CRUD over the API: models, dealers, units, customers; validation errors; list query counts."""

import json

import pytest

from shouhou.core.models import AuditEvent
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, token_for, service_center):
    auth = {"Authorization": f"Bearer {token_for(service_center)}"}

    def call(method, path, body=None):
        kwargs = {"headers": auth}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


def test_create_read_and_patch_a_model(api):
    body = {"code": "SN-D200", "name": "无盘服务器", "replacement_days": 90, "warranty_months": 36}
    assert api("post", "/api/v1/models", body).status_code == 201
    assert api("get", "/api/v1/models/SN-D200").json()["warranty_months"] == 36
    patched = api("patch", "/api/v1/models/SN-D200", {"discontinued_on": "2026-06-30"}).json()
    assert patched["discontinued_on"] == "2026-06-30" and patched["warranty_months"] == 36
    assert [m["code"] for m in api("get", "/api/v1/models").json()] == ["SN-D200"]
    assert AuditEvent.objects.filter(verb__startswith="product_model.").count() == 2


def test_model_validation_errors(api):
    make_model("SN-D200")
    duplicate = api("post", "/api/v1/models", {"code": "SN-D200", "name": "x", "replacement_days": 1,
                                               "warranty_months": 1})
    assert duplicate.status_code == 422
    assert "已存在" in duplicate.json()["detail"]
    negative = api("post", "/api/v1/models", {"code": "SN-X", "name": "x", "replacement_days": -1,
                                              "warranty_months": 1})
    assert negative.status_code == 422


def test_dealer_with_regions_and_unknown_region(api):
    created = api("post", "/api/v1/dealers", {"code": "GX-LZ09", "name": "柳州电脑", "regions": ["450200"]})
    assert created.status_code == 201 and created.json()["regions"] == ["450200"]
    bad = api("patch", "/api/v1/dealers/GX-LZ09", {"regions": ["450200", "999999"]})
    assert bad.status_code == 422
    assert "999999" in bad.json()["detail"]
    assert api("get", "/api/v1/dealers/GX-LZ09").json()["regions"] == ["450200"]


def test_unit_create_normalizes_and_validates(api, dealer_a):
    make_model("SN-D200")
    created = api("post", "/api/v1/units", {"serial": " snd200 2501 01 ", "model": "SN-D200", "dealer": "GX-A01",
                                            "shipped_on": "2025-01-05", "sold_on": "2025-01-10",
                                            "status": "in_service"})
    assert created.status_code == 201, created.content
    assert created.json()["serial"] == "SND200250101"
    before = api("post", "/api/v1/units", {"serial": "SND-2", "model": "SN-D200", "shipped_on": "2025-01-05",
                                           "sold_on": "2025-01-01"})
    assert before.status_code == 422 and "售出日期不能早于发货日期" in before.json()["detail"]
    unknown = api("post", "/api/v1/units", {"serial": "SND-3", "model": "SN-NOPE"})
    assert unknown.status_code == 422 and "SN-NOPE" in unknown.json()["detail"]
    region = api("post", "/api/v1/units", {"serial": "SND-4", "model": "SN-D200", "region_code": "999999"})
    assert region.status_code == 422
    patched = api("patch", "/api/v1/units/snd200250101", {"status": "in_repair"})
    assert patched.json()["status"] == "in_repair"


def test_customer_crud(api, dealer_a):
    created = api("post", "/api/v1/customers", {"name": "南宁星际网咖", "dealer": "GX-A01", "region_code": "450100"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api("patch", f"/api/v1/customers/{pk}", {"phone": "0771-1"}).json()["phone"] == "0771-1"
    assert api("post", "/api/v1/customers", {"name": "x", "dealer": "NOPE"}).status_code == 422


def test_unit_list_is_paginated_with_a_fixed_query_count(api, dealer_a, django_assert_num_queries):
    model = make_model("SN-D200")
    for i in range(30):
        make_unit(f"SND200-{i:04d}", model, dealer=dealer_a)
    api("get", "/api/v1/units")  # warm the token's user
    # token + last_used update is skipped within a minute: token lookup, roles, count, page
    with django_assert_num_queries(4):
        body = api("get", "/api/v1/units?page=2&page_size=20").json()
    assert body["count"] == 30 and len(body["results"]) == 10 and body["page"] == 2
    assert body["results"][0]["coverage"] in {"replacement", "warranty", "out_of_warranty"}
    assert api("get", "/api/v1/units?q=snd200-001").json()["count"] == 10
