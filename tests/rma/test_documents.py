"""The RMA PDFs carry readable Chinese text and the RMA number (read back with poppler)."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhou.rma import documents, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_line(alice, service_center, make_unit):
    unit = make_unit("SN-DOC-0001", timezone.localdate() - timedelta(days=10))
    spare = make_unit("SN-DOC-SPARE", None, dealer=None, status="in_stock")
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "无法开机"}],
                                  topology_required=False)
    line = order.lines.get()
    for event, fields in (("approve", {}), ("receive", {"condition": "完好"}),
                          ("inspect", {"fault_confirmed": True, "damage": [], "components": ["电源模块"]}),
                          ("ship_replacement", {"carrier": "顺丰", "tracking": "SF123",
                                                "replacement_serial": spare.serial})):
        line.refresh_from_db()
        line = services.line_apply(line=line, event=event, actor=service_center, version=line.version,
                                   fields=fields)
    line.refresh_from_db()
    return line


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_repair_tracking_sheet_has_chinese_text_the_number_and_the_findings(shipped_line, tmp_path, artifacts):
    pdf = documents.render("repair_tracking_sheet", shipped_line)
    text = pdf_text(pdf, tmp_path)
    number = shipped_line.order.number
    for expected in ("返修跟踪单", number, "SN-DOC-0001", "电源模块", "免费换货", "顺丰", "SF123", "SN-DOC-SPARE"):
        assert expected in text
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(tmp_path / "doc.pdf"),
                    str(artifacts / "repair_tracking_sheet_unit")], check=True)
    assert (artifacts / "repair_tracking_sheet_unit.png").stat().st_size > 10_000


def test_return_authorisation_names_the_centre_from_the_environment(shipped_line, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOUHOU_SERVICE_CENTRE_ADDRESS", "测试地址 1 号")
    text = pdf_text(documents.render("return_authorisation", shipped_line.order), tmp_path)
    assert "同意返厂检测" in text and shipped_line.order.number in text and "测试地址 1 号" in text
    assert "SN-DOC-0001" in text
    monkeypatch.delenv("SHOUHOU_SERVICE_CENTRE_ADDRESS")
    text = pdf_text(documents.render("return_authorisation", shipped_line), tmp_path)
    assert "龙军工业园" in text and "0755-83692793" in text


def test_the_outbox_task_attaches_the_tracking_sheet(shipped_line):
    from shouhou.notify.models import Event
    from shouhou.notify.tasks import event_attach_document

    note = Event.objects.get(object_id=str(shipped_line.pk), name="rma.repair_tracking_sheet")
    assert event_attach_document.call(event_id=note.pk)
    note.refresh_from_db()
    assert note.attachment.read().startswith(b"%PDF")


def test_an_unknown_kind_is_refused(shipped_line):
    with pytest.raises(ValueError):
        documents.render("invoice", shipped_line)


def test_the_quote_pdf_lists_items_total_and_options(alice, service_center, make_unit, tmp_path):
    from tests.rma.conftest import OUT_OF_WARRANTY_START

    unit = make_unit("SN-DOC-QUOTE", OUT_OF_WARRANTY_START)
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "风扇异响"}],
                                  topology_required=False)
    line = order.lines.get()
    for event, fields in (("approve", {}), ("receive", {"condition": "完好"}),
                          ("inspect", {"fault_confirmed": True, "damage": [], "components": ["风扇"]}),
                          ("send_quote", {"items": [{"text": "更换风扇", "amount": "120.00"},
                                                    {"text": "人工费", "amount": "80.00"}]})):
        line.refresh_from_db()
        line = services.line_apply(line=line, event=event, actor=service_center, version=line.version,
                                   fields=fields)
    text = pdf_text(documents.render("quote", line), tmp_path)
    for expected in ("更换风扇", "人工费", "200.00", "有偿维修", "SN-DOC-QUOTE"):
        assert expected in text
