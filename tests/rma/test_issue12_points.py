"""Points of issue 12 that no other module pinned: the channels word a form problem alike (one
validator), and the tracking sheet is due by the domain's public predicate."""

from __future__ import annotations

import pytest

from shouhou.domain import rma
from tests.rma.conftest import order_body
from tests.rma.test_views import form_data, png

UNKNOWN = "第 1 行：序列号 SN-PT-NOPE 不存在或不属于本代理商"


@pytest.mark.django_db
def test_the_web_form_and_the_api_word_a_problem_alike(client_for, alice, staff_api):
    from shouhou.rma.models import ServiceOrder

    web = client_for(alice).post("/portal/orders/new/", form_data(
        {"serial": "SN-PT-NOPE", "fault": "无法开机", "topology": png()}))
    assert web.status_code == 422 and UNKNOWN in web.content.decode()
    api = staff_api.post("/service-orders", order_body("SN-PT-NOPE"))
    assert api.status_code == 422
    assert UNKNOWN in api.json()["errors"] and api.json()["problems"][0]["code"] == "unknown_serial"
    assert not ServiceOrder.objects.exists()


@pytest.mark.parametrize(("path", "confirmed", "due"), [
    (rma.Path.FREE_REPLACEMENT, True, True), (rma.Path.ADVANCE_REPLACEMENT, False, True),
    (rma.Path.PAID_REPLACEMENT, True, True), (rma.Path.FREE_REPLACEMENT, None, False),
    (rma.Path.FREE_REPAIR, True, False), (rma.Path.PAID_REPAIR, True, False), (None, None, False),
])
def test_the_tracking_sheet_is_due_on_a_replacement_path_once_inspected(path, confirmed, due):
    line = rma.Line(coverage="replacement", state=rma.State.INSPECTED, path=path, fault_confirmed=confirmed)
    assert rma.sheet_due(line) is due


@pytest.mark.django_db
def test_the_database_keeps_one_open_quote_one_open_deadline_and_one_sheet_per_version(
        alice, service_center, make_unit):
    from datetime import timedelta

    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from shouhou.rma import services
    from shouhou.rma.models import DeadlineRecord, Quote, TrackingSheet

    unit = make_unit("SN-PT-GUARD", timezone.localdate() - timedelta(days=10))
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "无法开机"}],
                                  topology_required=False)
    line = order.lines.get()
    now = timezone.now()
    open_deadline = DeadlineRecord.objects.get(line=line, met_at__isnull=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineRecord.objects.create(line=line, kind=open_deadline.kind, party="vendor", started_at=now,
                                      due_at=now)
    quote = {"line": line, "items": [], "total": 1, "valid_days": 1, "valid_until": now, "sent_at": now}
    Quote.objects.create(**quote)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.create(**quote)
    TrackingSheet.objects.create(line=line, version=1, line_version=1, created_at=now, pdf=b"%PDF", checksum="x")
    for twin in ({"version": 1, "line_version": 2}, {"version": 2, "line_version": 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            TrackingSheet.objects.create(line=line, created_at=now, pdf=b"%PDF", checksum="x", **twin)
