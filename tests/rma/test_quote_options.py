"""A quote offering two options has an amount per option; the dealer's choice picks the total."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shouhou.domain import rma
from shouhou.rma.models import Quote
from tests.rma.test_api_paths import submit, to_inspection

pytestmark = pytest.mark.django_db

ITEMS = [{"text": "检测费", "amount": "100.00"},
         {"text": "更换主板", "amount": "680.00", "option": "paid_repair"},
         {"text": "新机差价", "amount": "1200.00", "option": "paid_replacement"}]


def inspected_with_damage(staff_api, alice_api, serial):
    run = submit(staff_api, alice_api, serial)
    to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                  receive_due="2025-10-11T18:30:00+08:00")
    run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="quoting", path="quote",
        due="2025-10-11T18:30:00+08:00", fault_confirmed=True, damage=["cosmetic"])
    return run


def test_each_option_has_its_own_total_and_the_choice_picks_it(staff_api, alice_api, make_unit):
    make_unit("SN-QOPT-0001")
    run = inspected_with_damage(staff_api, alice_api, "SN-QOPT-0001")
    run("staff", "send_quote", "2025-10-10T10:00:00+08:00", state="quoted", path="quote",
        dealer_due="2025-10-25T23:59:59+08:00", items=ITEMS, options=["paid_replacement", "paid_repair"],
        valid_days=15)
    quote = Quote.objects.get()
    assert quote.totals == {"paid_replacement": "1300.00", "paid_repair": "780.00"}
    run("dealer", "confirm_quote", "2025-10-11T09:00:00+08:00", state="repairing", path="paid_repair",
        due="2025-10-23T18:30:00+08:00", choice="paid_repair")
    quote.refresh_from_db()
    assert (quote.choice, quote.total) == ("paid_repair", Decimal("780.00"))


def test_an_item_for_an_option_not_offered_is_refused(staff_api, alice_api, make_unit):
    make_unit("SN-QOPT-0002")
    run = inspected_with_damage(staff_api, alice_api, "SN-QOPT-0002")
    url = f"/service-orders/{run.order['id']}/lines/{run.line['id']}/send_quote"
    response = staff_api.post(url, {"version": run.line["version"], "at": "2025-10-10T10:00:00+08:00",
                                    "items": ITEMS, "options": ["paid_repair"], "valid_days": 15})
    assert response.status_code == 422 and response.json()["reason"] == "options_not_offered"
    assert not Quote.objects.exists()


def test_an_item_without_an_option_counts_for_every_option():
    assert rma.quote_totals(ITEMS, ["paid_repair"]) == {"paid_repair": Decimal("780.00")}
    assert rma.quote_totals([{"text": "x", "amount": "5"}], ["paid_repair", "paid_replacement"]) == {
        "paid_repair": Decimal("5"), "paid_replacement": Decimal("5")}
