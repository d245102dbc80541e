"""The RMA demo runs on the registry demo, through the real services, and only once."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_many_states_and_load_once():
    from shouhou.core.bootstrap import ensure_admin, load_demo
    from shouhou.rma.models import OrderLine, ServiceOrder

    out = io.StringIO()
    ensure_admin(out)
    load_demo(out)
    count = ServiceOrder.objects.count()
    assert count >= 20, out.getvalue()
    states = set(OrderLine.objects.values_list("state", flat=True))
    assert {"closed", "submitted", "quoted", "received", "rejected", "info_requested"} <= states, states
    load_demo(io.StringIO())
    assert ServiceOrder.objects.count() == count
