"""The 返修跟踪单 a dealer downloads is the line as it stands, not the copy mailed at inspection."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhou.rma import services
from tests.rma.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def test_the_downloaded_sheet_shows_the_shipment_made_after_inspection(alice, service_center, make_unit,
                                                                       client_for, tmp_path, artifacts):
    from shouhou.notify.models import Event
    from shouhou.notify.tasks import event_attach_document

    unit = make_unit("SN-SHEET-0001", timezone.localdate() - timedelta(days=10))
    spare = make_unit("SN-SHEET-SPARE", None, dealer=None, status="in_stock")
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "无法开机"}],
                                  topology_required=False)
    line = order.lines.get()
    steps = (("approve", {}), ("receive", {"condition": "完好"}),
             ("inspect", {"fault_confirmed": True, "damage": [], "components": ["电源模块"]}))
    for event, fields in steps:
        line.refresh_from_db()
        line = services.line_apply(line=line, event=event, actor=service_center, version=line.version,
                                   fields=fields)
    # The worker renders the mailed copy right after the inspection.
    mailed = Event.objects.get(object_id=str(line.pk), name="rma.repair_tracking_sheet")
    assert event_attach_document.call(event_id=mailed.pk)
    line.refresh_from_db()
    services.line_apply(line=line, event="ship_replacement", actor=service_center, version=line.version,
                        fields={"carrier": "顺丰", "tracking": "SF123", "replacement_serial": spare.serial})

    response = client_for(alice).get(f"/portal/orders/{order.pk}/documents/repair_tracking_sheet.pdf",
                                     {"line": line.pk})
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = pdf_text(pdf, tmp_path)
    assert "SN-SHEET-SPARE" in text and "SF123" in text
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(tmp_path / "sheet.pdf"),
                    str(artifacts / "repair_tracking_sheet_after_shipping")], check=True)
