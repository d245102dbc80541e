"""Units that arrive without an approved form (DESIGN §2, §6): logged, listed, taken over.

Dates are counted by hand on the official schedules: National Day 2025 (Oct 1–8 off, Sat Oct 11
worked), Spring Festival 2026 (Feb 15–23 off, Sat Feb 14 and Sat Feb 28 make-up working days).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouhou.notify.models import Event
from shouhou.rma.models import OrderLine, Receipt, ReceiptPhoto
from shouhou.rma.policy import work_calendar
from tests.gates.seed import PNG
from tests.rma.conftest import order_body

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _approve(api, order, at):
    line = order["lines"][0]
    return api.post(f"/service-orders/{order['id']}/lines/{line['id']}/approve", {"version": line["version"], "at": at})


@pytest.mark.parametrize(("logged", "submitted", "approved", "due"), [
    # Approved Tue Sep 30; Oct 1–8 off → Thu Oct 9, Fri Oct 10, Sat Oct 11 (make-up day) → 18:30.
    ("2025-09-29T16:00:00+08:00", "2025-09-29T17:00:00+08:00", "2025-09-30T15:00:00+08:00",
     "2025-10-11T18:30:00+08:00"),
    # Approved Sat Feb 14 2026 (make-up day); Feb 15–23 off → Tue Feb 24, Wed Feb 25, Thu Feb 26.
    ("2026-02-12T11:00:00+08:00", "2026-02-13T09:30:00+08:00", "2026-02-14T10:30:00+08:00",
     "2026-02-26T18:30:00+08:00"),
])
def test_receipt_then_form_then_approval_gives_received_due_three_working_days_after_approval(
        staff_api, make_unit, logged, submitted, approved, due):
    make_unit("SN-UNANN-0001")
    resp = staff_api.post("/receipts", {"serial": "sn-unann-0001 ", "carrier": "顺丰速运", "tracking": "SF9001",
                                        "condition": "外箱完好", "at": logged})
    assert resp.status_code == 201, resp.content.decode()
    body = resp.json()
    assert body == {"id": body["id"], "serial": "SN-UNANN-0001", "dealer": "GX-A01", "order": None,
                    "status": "awaiting_form"}
    order = staff_api.post("/service-orders", order_body("SN-UNANN-0001", submitted_at=submitted)).json()
    assert order["lines"][0]["state"] == "submitted"  # under review like any form
    resp = _approve(staff_api, order, approved)
    assert resp.status_code == 200, resp.content.decode()
    line = resp.json()
    assert (line["state"], line["path"], line["due"], line["dealer_due"]) == ("received", None, due, None)
    assert "inspect" in line["allowed"] and "receive" not in line["allowed"]
    receipt = Receipt.objects.get()
    assert (receipt.status, receipt.line_id) == ("taken_over", line["id"])
    assert receipt.taken_over_at == datetime.fromisoformat(approved)
    stored = OrderLine.objects.get(pk=line["id"])
    assert stored.received_at == datetime.fromisoformat(approved)
    assert stored.unit.status == "in_repair"
    record = stored.deadlines.get(met_at__isnull=True)
    assert (record.kind, record.started_at) == ("inspect", stored.received_at)
    assert record.due_at == datetime.fromisoformat(due)


def test_without_a_receipt_approval_waits_for_the_unit(staff_api, make_unit):
    make_unit("SN-UNANN-0002")
    order = staff_api.post("/service-orders", order_body("SN-UNANN-0002")).json()
    line = _approve(staff_api, order, "2025-09-26T15:00:00+08:00").json()
    assert (line["state"], line["due"]) == ("approved", None)


def test_the_dealer_is_asked_for_the_form_through_the_outbox(staff_api, make_unit, dealer_a):
    make_unit("SN-UNANN-0003")
    resp = staff_api.post("/receipts", {"serial": "SN-UNANN-0003", "carrier": "中通", "tracking": "ZT1"})
    event = Event.objects.get(name="rma.form_requested")
    assert event.dealer == dealer_a
    assert event.data["serial"] == "SN-UNANN-0003"
    assert event.data["portal_url"] == "/portal/orders/new/?serial=SN-UNANN-0003"
    assert event.object_id == str(resp.json()["id"])
    assert event.messages.filter(transport="email", address="a@dealer-a.cn").exists()


def test_an_unknown_serial_is_logged_and_matched_to_its_unit_later(staff_api, make_unit, service_center):
    from shouhou.rma.services_receipts import receipt_match

    resp = staff_api.post("/receipts", {"serial": "SN-NOT-YET-0001", "carrier": "德邦"})
    assert resp.status_code == 201
    assert resp.json()["dealer"] is None
    assert not Event.objects.filter(name="rma.form_requested").exists()  # nobody to ask yet
    make_unit("SN-UNANN-0004")
    receipt = receipt_match(receipt=Receipt.objects.get(), actor=service_center, serial="sn-unann-0004")
    assert (receipt.serial, receipt.unit.serial, receipt.dealer.code) == ("SN-UNANN-0004", "SN-UNANN-0004", "GX-A01")
    assert Event.objects.filter(name="rma.form_requested", dealer__code="GX-A01").count() == 1


def test_matching_to_a_serial_nobody_registered_is_refused(staff_api, service_center):
    from shouhou.domain.errors import Invalid
    from shouhou.rma.services_receipts import receipt_match

    staff_api.post("/receipts", {"serial": "SN-NOT-YET-0002"})
    with pytest.raises(Invalid) as caught:
        receipt_match(receipt=Receipt.objects.get(), actor=service_center, serial="SN-NOBODY")
    assert caught.value.reason == "unit_unknown"
    assert Receipt.objects.get().unit is None


@pytest.mark.parametrize(("body", "reason"), [
    ({"serial": "   "}, "serial_missing"),
    ({"serial": "SN-X", "at": "2999-01-01T10:00:00+08:00"}, "receipt_in_future"),
    ({"serial": "SN-X", "carrier": "顺" * 101}, "receipt_too_long"),
])
def test_bad_input_is_refused_with_a_code_and_nothing_is_stored(staff_api, body, reason):
    resp = staff_api.post("/receipts", body)
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid" and resp.json()["reason"] == reason
    assert not Receipt.objects.exists()


def test_a_unit_whose_form_is_approved_is_received_not_logged(staff_api, make_unit):
    make_unit("SN-UNANN-0005")
    order = staff_api.post("/service-orders", order_body("SN-UNANN-0005")).json()
    _approve(staff_api, order, "2025-09-26T15:00:00+08:00")
    resp = staff_api.post("/receipts", {"serial": "SN-UNANN-0005"})
    assert (resp.status_code, resp.json()["reason"]) == (422, "has_approved_form")
    assert not Receipt.objects.exists()


def test_a_second_parcel_for_a_waiting_unit_is_refused(staff_api, make_unit):
    make_unit("SN-UNANN-0006")
    assert staff_api.post("/receipts", {"serial": "SN-UNANN-0006"}).status_code == 201
    resp = staff_api.post("/receipts", {"serial": "SN-UNANN-0006"})
    assert (resp.status_code, resp.json()["reason"]) == (422, "already_waiting")
    assert Receipt.objects.count() == 1


def test_the_database_allows_one_waiting_receipt_per_unit(make_unit):
    from django.db import IntegrityError, transaction

    unit = make_unit("SN-UNANN-0007")
    now = timezone.now()
    Receipt.objects.create(serial=unit.serial, unit=unit, dealer=unit.dealer, received_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(serial=unit.serial, unit=unit, dealer=unit.dealer, received_at=now)


def test_a_dealer_may_not_log_receipts(alice_api, make_unit):
    make_unit("SN-UNANN-0008")
    resp = alice_api.post("/receipts", {"serial": "SN-UNANN-0008"})
    assert resp.status_code == 403
    assert not Receipt.objects.exists()


# --- the receiving desk and the list --------------------------------------------------------------------


def test_the_desk_offers_to_log_a_parcel_it_may_not_receive(client_for, service_center, make_unit):
    make_unit("SN-UNANN-0010")
    client = client_for(service_center)
    page = client.get("/rma/receive/", {"serial": "SN-UNANN-0010"})
    assert page.status_code == 404
    html = page.content.decode()
    assert "不能签收" in html and "登记未预约到货" in html and 'value="SN-UNANN-0010"' in html


def test_the_desk_logs_the_parcel_with_its_photo(client_for, service_center, make_unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("SN-UNANN-0011")
    client = client_for(service_center)
    resp = client.post("/rma/receipts/new/", {
        "unannounced-serial": "SN-UNANN-0011", "unannounced-carrier": "顺丰速运", "unannounced-tracking": "SF1",
        "unannounced-condition": "外箱破损", "unannounced-photos": [SimpleUploadedFile("a.png", PNG, "image/png")]})
    receipt = Receipt.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/rma/receipts/{receipt.pk}/"
    photo = ReceiptPhoto.objects.get()
    assert photo.receipt == receipt
    assert client.get(f"/rma/receipts/{receipt.pk}/photos/{photo.pk}").status_code == 200
    page = client.get(f"/rma/receipts/{receipt.pk}/").content.decode()
    assert "外箱破损" in page and "等待代理商补交" in page


def test_a_photo_that_is_not_an_image_stores_nothing(client_for, service_center, make_unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("SN-UNANN-0012")
    resp = client_for(service_center).post("/rma/receipts/new/", {
        "unannounced-serial": "SN-UNANN-0012",
        "unannounced-photos": [SimpleUploadedFile("a.png", b"MZ not an image", "image/png")]})
    assert resp.status_code == 422
    assert "PNG 或 JPEG" in resp.content.decode()
    assert not Receipt.objects.exists() and not ReceiptPhoto.objects.exists()


def test_the_list_shows_how_many_working_days_each_parcel_waited(client_for, service_center, make_unit,
                                                                    dealer_b, server_model):
    from shouhou.registry.models import Unit
    from shouhou.rma.services_receipts import receipt_log

    make_unit("SN-UNANN-0020")
    Unit.objects.create(serial="SN-UNANN-0021", product_model=server_model, dealer=dealer_b, status="in_service")
    old = receipt_log(actor=service_center, serial="SN-UNANN-0020", at=datetime(2025, 9, 29, 16, tzinfo=TZ))
    receipt_log(actor=service_center, serial="SN-UNANN-0021", at=timezone.now())
    cal = work_calendar()
    waited = cal.working_days_between(cal.local(old.received_at).date(), cal.local(timezone.now()).date())
    client = client_for(service_center)
    html = client.get("/rma/receipts/").content.decode()
    assert html.index("SN-UNANN-0020") < html.index("SN-UNANN-0021")  # the one waiting longest first
    assert f"{waited} 个工作日" in html and "0 个工作日" in html
    only_b = client.get("/rma/receipts/", {"dealer": "GD-B02"}).content.decode()
    assert "SN-UNANN-0021" in only_b and "SN-UNANN-0020" not in only_b


def test_receipt_pages_are_not_for_dealers(client_for, alice, service_center, make_unit):
    from shouhou.rma.services_receipts import receipt_log

    make_unit("SN-UNANN-0030")
    receipt = receipt_log(actor=service_center, serial="SN-UNANN-0030")
    client = client_for(alice)
    assert client.get("/rma/receipts/").status_code == 404
    assert client.get(f"/rma/receipts/{receipt.pk}/").status_code == 404
