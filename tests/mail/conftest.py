"""Inbound-mail fixtures: the crafted messages, dealer A's user with an address, and an order whose
line waits for the dealer's answer to a quote (numbered RMA2026-000123, as in the fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rma.conftest import Api, alice_api, make_unit, order_body, server_model, staff_api  # noqa: F401

EML = Path(__file__).resolve().parent / "eml"
ORDER_NUMBER = "RMA2026-000123"


def eml(name: str) -> bytes:
    return (EML / name).read_bytes()


@pytest.fixture(autouse=True)
def _mail_settings(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = "售后服务 <service@shouhou.example.cn>"
    settings.SERVER_EMAIL = settings.DEFAULT_FROM_EMAIL
    settings.MAIL_MAX_BYTES = 100 * 1024


@pytest.fixture
def li(db, dealer_a):
    """A user of dealer A with the address the fixtures write from."""
    from shouhou.core.services import user_create

    return user_create(username="li", role="dealer", dealer_code=dealer_a.code, email="li@dealer-a.cn",
                       password="Correct-Horse-42")


def _post(api: Api, url: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = api.post(url, body)
    assert resp.status_code in (200, 201), resp.content.decode()
    return resp.json()


@pytest.fixture
def quoted_order(staff_api, alice_api, make_unit, li):  # noqa: F811
    """make(options) → the order (numbered ORDER_NUMBER) whose one line has a sent quote offering OPTIONS."""
    from shouhou.rma.models import ServiceOrder

    def make(options: list[str], serial: str = "SN-QUOTE-0001") -> ServiceOrder:
        from datetime import timedelta

        from django.utils import timezone

        # Inside the replacement period today, so that cosmetic damage gets a quote with both options.
        make_unit(serial, timezone.localdate() - timedelta(days=10))
        order = _post(staff_api, "/service-orders", order_body(serial, submitted_at=None))
        line = order["lines"][0]
        url = f"/service-orders/{order['id']}/lines/{line['id']}"
        line = _post(staff_api, f"{url}/approve", {"version": line["version"]})
        line = _post(alice_api, f"{url}/ship_to_centre", {"version": line["version"], "carrier": "顺丰",
                                                           "tracking": "SF1"})
        line = _post(staff_api, f"{url}/receive", {"version": line["version"], "condition": "完好"})
        line = _post(staff_api, f"{url}/inspect", {"version": line["version"], "fault_confirmed": True,
                                                   "damage": ["cosmetic"] if len(options) > 1 else ["physical"],
                                                   "components": []})
        line = _post(staff_api, f"{url}/send_quote", {
            "version": line["version"], "items": [{"text": "更换主板", "amount": "680.00"}], "options": options,
            "valid_days": 15})
        assert line["state"] == "quoted"
        ServiceOrder.objects.filter(pk=order["id"]).update(number=ORDER_NUMBER)
        return ServiceOrder.objects.get(pk=order["id"])

    return make
