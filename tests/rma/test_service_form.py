"""The one service-form check returns structured problems (row, field, code, params)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.rma.service_form import FormError, describe, describe_with_row, validate_service_form

pytestmark = pytest.mark.django_db


def test_every_problem_comes_back_with_row_field_code_and_params(dealer_a, dealer_b, make_unit):
    make_unit("SN-SF-0001")
    make_unit("SN-SF-BOB", dealer=dealer_b)
    errors = validate_service_form(
        dealer=dealer_a, contact_name="", contact_phone="0771", contact_email="nope", return_address="南宁",
        reported_on=None, topology_required=True,
        lines=[{"row": 7, "serial": "SN-SF-0001", "fault": "坏了",
                "topology": SimpleUploadedFile("t.png", b"MZ", content_type="image/png")},
               {"row": 8, "serial": "sn-sf-bob", "fault": ""},
               {"row": 9, "serial": "SN-SF-0001", "fault": "x", "advance_requested": "可能"}])
    assert errors == [
        FormError(None, "contact.name", "required"),
        FormError(None, "contact.email", "invalid_email"),
        FormError(7, "topology", "bad_topology"),
        FormError(8, "serial", "unknown_serial", {"serial": "SN-SF-BOB"}),
        FormError(8, "fault", "required"),
        FormError(8, "topology", "required"),
        FormError(9, "serial", "duplicate_serial", {"serial": "SN-SF-0001", "first": 7}),
        FormError(9, "advance_requested", "not_bool"),
        FormError(9, "topology", "required"),
    ]
    assert describe(errors[0]) == "缺少联系人"
    assert describe_with_row(errors[6]) == "第 9 行：序列号 SN-SF-0001 与第 7 行重复"


def test_a_complete_form_has_no_problems(dealer_a, make_unit):
    make_unit("SN-SF-0002")
    assert validate_service_form(dealer=dealer_a, contact_name="李工", contact_phone="0771", return_address="南宁",
                                 reported_on=None, topology_required=False,
                                 lines=[{"serial": "SN-SF-0002", "fault": "无法开机"}]) == []


def test_the_api_returns_the_structured_problems(staff_api, make_unit):
    from tests.rma.conftest import order_body

    make_unit("SN-SF-0003")
    body = order_body("SN-SF-0003", "SN-SF-NOPE")
    response = staff_api.post("/service-orders", body)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"row": 2, "field": "serial", "code": "unknown_serial", "params": {"serial": "SN-SF-NOPE"}}]
    assert response.json()["fields"] == ["lines[2].serial"]
