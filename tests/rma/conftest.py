"""RMA fixtures: product models and units in every coverage, and an HTTP client per role."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

# Units are reported on 2025-09-26 or 2026-02-10 in the tests: these start dates put them in
# the replacement period (90 days), the warranty (36 months) or out of it.
REPLACEMENT_START = date(2025, 8, 1)
WARRANTY_START = date(2024, 3, 1)
OUT_OF_WARRANTY_START = date(2020, 1, 1)


class Api:
    """A JSON client with a bearer token."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{url}", params, headers=self.headers)

    def post(self, url: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{url}", json.dumps(body or {}), content_type="application/json",
                                headers=self.headers)


@pytest.fixture
def server_model(db):
    from shouhou.registry.models import ProductModel

    return ProductModel.objects.create(code="SN-S200", name="云服务器 S200", replacement_days=90, warranty_months=36)


@pytest.fixture
def old_model(db):
    from shouhou.registry.models import ProductModel

    return ProductModel.objects.create(code="SN-S100", name="云服务器 S100（停产）", replacement_days=90,
                                       warranty_months=36, discontinued_on=date(2023, 6, 30))


@pytest.fixture
def make_unit(server_model, dealer_a):
    from shouhou.registry.models import Unit, UnitStatus

    def make(serial: str, shipped_on: date | None = REPLACEMENT_START, *, model=None, dealer=dealer_a,
             status: str = UnitStatus.IN_SERVICE) -> Unit:
        return Unit.objects.create(serial=serial, product_model=model or server_model, dealer=dealer,
                                   shipped_on=shipped_on, status=status)

    return make


@pytest.fixture
def staff_api(service_center, token_for) -> Api:
    return Api(token_for(service_center))


@pytest.fixture
def alice_api(alice, token_for) -> Api:
    return Api(token_for(alice))


@pytest.fixture
def bob_api(bob, token_for) -> Api:
    return Api(token_for(bob))


def order_body(*serials: str, submitted_at: str | None = "2025-09-26T10:00:00+08:00", **line: Any) -> dict[str, Any]:
    return {
        "dealer": "GX-A01",
        "contact": {"name": "李工", "phone": "13800000000", "email": "li@dealer-a.cn"},
        "return_address": "广西南宁市青秀区民族大道 1 号",
        "case": None,
        "submitted_at": submitted_at,
        "lines": [{"serial": s, "fault": "无法开机", "advance_replacement": False, "advance_reason": "", **line}
                  for s in serials],
    }
