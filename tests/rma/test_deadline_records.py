"""A new deadline is a new record even when its due time equals the one it follows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shouhou.rma.models import DeadlineRecord
from shouhou.rma.services import line_apply, order_submit

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_an_advance_approval_due_with_the_review_opens_its_own_deadline(dealer_a, service_center, make_unit):
    unit = make_unit("SN-ADV-0001")
    order = order_submit(dealer=dealer_a, actor=service_center, contact_name="李工", contact_phone="1380000",
                         return_address="南宁", submitted_at=datetime(2025, 9, 15, 10, 0, tzinfo=TZ),
                         topology_required=False, lines=[{"serial": unit.serial, "fault": "无法开机",
                                                          "advance_requested": True, "advance_reason": "急需"}])
    line = line_apply(line=order.lines.get(), event="approve_advance", actor=service_center, version=1,
                      at=datetime(2025, 9, 15, 15, 0, tzinfo=TZ), fields={"reason": "急需"})
    records = list(DeadlineRecord.objects.filter(line=line).order_by("id").values_list("kind", "met_at", "due_at"))
    assert [(kind, met is not None) for kind, met, _due in records] == [("review", True), ("ship_advance", False)]
    assert records[0][2] == records[1][2]  # the same due time, two deadlines
