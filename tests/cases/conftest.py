"""Case fixtures: a unit of each dealer, staff of each role, a JSON API client per user."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


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
def unit_a(server_model, dealer_a):
    from shouhou.registry.models import Unit, UnitStatus

    return Unit.objects.create(serial="SNA0001", product_model=server_model, dealer=dealer_a,
                               shipped_on=date(2025, 8, 1), status=UnitStatus.IN_SERVICE, region_code="450100")


@pytest.fixture
def unit_b(server_model, dealer_b):
    from shouhou.registry.models import Unit, UnitStatus

    return Unit.objects.create(serial="SNB0001", product_model=server_model, dealer=dealer_b,
                               shipped_on=date(2020, 1, 1), status=UnitStatus.IN_SERVICE)


@pytest.fixture
def cs(make_user):
    return make_user("customer_service", username="kefu")


@pytest.fixture
def cs2(make_user):
    return make_user("customer_service", username="kefu2")


@pytest.fixture
def engineer(make_user):
    return make_user("support_engineer", username="jishu")


@pytest.fixture
def open_case(cs):
    """A function opening a case as `cs` (or another actor) with sensible defaults."""
    from shouhou.cases.services import Reporter, case_open

    def make(**kw: Any):
        kw.setdefault("actor", cs)
        kw.setdefault("channel", "hotline")
        kw.setdefault("case_type", "fault")
        kw.setdefault("subject", "无盘客户机启动蓝屏")
        kw.setdefault("reporter", Reporter(name="王老板", phone="0771-5561234"))
        return case_open(**kw)

    return make


@pytest.fixture
def cs_api(cs, token_for) -> Api:
    return Api(token_for(cs))


@pytest.fixture
def alice_api(alice, token_for) -> Api:
    return Api(token_for(alice))


@pytest.fixture
def bob_api(bob, token_for) -> Api:
    return Api(token_for(bob))
