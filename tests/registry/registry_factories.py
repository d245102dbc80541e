"""Small builders for registry tests, through our own services (no raw saves)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shouhou.registry import services


def make_model(code: str = "SN-D200", *, replacement_days: int = 90, warranty_months: int = 36,
               discontinued_on: date | None = None, **fields: Any):
    return services.product_model_create(actor=None, code=code, name=f"{code} 无盘服务器",
                                         replacement_days=replacement_days, warranty_months=warranty_months,
                                         discontinued_on=discontinued_on, **fields)


_UNSET: Any = object()


def make_unit(serial: str, model, *, dealer=None, shipped_on: Any = _UNSET, sold_on: date | None = None,
              **fields: Any):
    """A unit shipped to DEALER on 2025-01-10 by default; without a dealer, vendor stock (no dates)."""
    if shipped_on is _UNSET:
        shipped_on = date(2025, 1, 10) if dealer is not None else None
    return services.unit_create(actor=None, serial=serial, product_model=model, dealer=dealer,
                                shipped_on=shipped_on, sold_on=sold_on,
                                status=fields.pop("status", "in_service" if dealer else "in_stock"), **fields)


@pytest.fixture
def public_rate_off(settings):
    """Most tests make many public requests; the rate limit has its own tests."""
    settings.PUBLIC_RATE = "off"
