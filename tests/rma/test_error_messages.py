"""Domain errors carry a code, a reason and parameters; people read them in their language."""

from __future__ import annotations

import pytest
from django.utils import translation

from shouhou.core.errors import message
from shouhou.domain.errors import IllegalEvent, Invalid, StaleVersion
from tests.rma.conftest import order_body


def test_a_domain_error_reads_in_chinese_with_its_parameters():
    with translation.override("zh-hans"):
        assert message(Invalid("reason is required", reason="required", field="reason")) == "请填写原因。"
        assert message(Invalid("text too long", reason="too_long", field="result", max=2000)) == \
            "维修结果不能超过 2000 个字符。"
        assert "版本 7" in message(StaleVersion("the line is at version 7, not 6", version=7))
        assert message(IllegalEvent("x", allowed=["approve", "reject"]), names={"approve": "同意"}).endswith(
            "同意、reject。")


def test_an_error_without_a_template_reads_as_raised():
    assert message(Invalid("序列号不存在")) == "序列号不存在"


@pytest.mark.django_db
def test_the_api_keeps_the_code_and_gives_people_the_translated_detail(staff_api, make_unit):
    make_unit("SN-ERR-0001")
    order = staff_api.post("/service-orders", order_body("SN-ERR-0001")).json()
    line = order["lines"][0]
    response = staff_api.post(f"/service-orders/{order['id']}/lines/{line['id']}/cancel", {"version": 1})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["reason"], body["field"]) == ("invalid", "required", "reason")
    assert body["detail"] == "请填写原因。"
    stale = staff_api.post(f"/service-orders/{order['id']}/lines/{line['id']}/approve", {"version": 9})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version" and stale.json()["version"] == 1
    assert "请刷新后重试" in stale.json()["detail"]
