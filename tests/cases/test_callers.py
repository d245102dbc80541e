"""Open cases in caller recognition (the ``open_cases`` provider of shouhou.registry.callers)."""

from __future__ import annotations

import pytest

from shouhou.cases import services
from shouhou.cases.services import Reporter


@pytest.fixture
def cafe(dealer_a, unit_a):
    from shouhou.registry.models import Customer

    customer = Customer.objects.create(name="星际网咖", contact_name="王老板", phone="0771-5561234", dealer=dealer_a)
    unit_a.customer = customer
    unit_a.save(update_fields=["customer"])
    return customer


def test_a_callers_open_cases_are_listed_and_closed_ones_are_not(cs_api, cs, open_case, cafe, unit_a):
    by_unit = open_case(serial="SNA0001")
    by_phone = open_case(reporter=Reporter(name="王老板", phone="07715561234"))
    done = services.case_apply(case=open_case(serial="SNA0001"), event="accept", actor=cs, version=1)
    done = services.case_apply(case=done, event="resolve", actor=cs, version=2,
                               fields={"resolution": "r", "category": "other"})
    body = cs_api.get("/callers", phone="+86 771 556 1234").json()
    assert body["open_cases"] == [by_phone.number, by_unit.number]
    assert done.number not in body["open_cases"]


def test_the_caller_panel_links_open_cases(client_for, cs, open_case, cafe):
    case = open_case(serial="SNA0001")
    page = client_for(cs).get("/callers/panel", {"phone": "0771-5561234"}).content.decode()
    assert case.number in page and f"/cases/{case.pk}/" in page
