"""Service details the API tests do not reach: topology files, drafts, documents on notices."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.domain.errors import Invalid
from shouhou.rma.services import line_apply, order_save_draft, order_submit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def form(serial: str, **line):
    return {"contact_name": "李工", "contact_phone": "1380000", "return_address": "南宁",
            "lines": [{"serial": serial, "fault": "无法开机", **line}]}


def test_topology_is_checked_by_content_not_by_name(alice, dealer_a, make_unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("SN-TOPO-0001")
    fake = SimpleUploadedFile("topology.png", b"GIF89a not a png", content_type="image/png")
    with pytest.raises(Invalid) as exc:
        order_submit(dealer=dealer_a, actor=alice, **form("SN-TOPO-0001", topology=fake))
    assert exc.value.extra["errors"] == ["第 1 行：配置拓扑图须为 PNG、JPEG 图片或 PDF 文件"]
    real = SimpleUploadedFile("anything.bin", PNG, content_type="application/octet-stream")
    order = order_submit(dealer=dealer_a, actor=alice, **form("SN-TOPO-0001", topology=real))
    assert order.lines.get().topology.name.endswith(".png")


def test_the_web_form_requires_a_topology_diagram(alice, dealer_a, make_unit):
    make_unit("SN-TOPO-0002")
    with pytest.raises(Invalid) as exc:
        order_submit(dealer=dealer_a, actor=alice, **form("SN-TOPO-0002"))
    assert exc.value.extra["errors"] == ["第 1 行：缺少配置拓扑图"]


def test_a_draft_keeps_incomplete_lines_and_submits_later(alice, dealer_a, make_unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("SN-DRAFT-001")
    draft = order_save_draft(dealer=dealer_a, actor=alice, lines=[{"serial": "sn-draft-001", "fault": "",
                                                                   "topology": SimpleUploadedFile("t.png", PNG)}])
    line = draft.lines.get()
    assert (line.state, line.unit.serial, draft.submitted_at) == ("draft", "SN-DRAFT-001", None)
    order = order_submit(dealer=dealer_a, actor=alice, draft=draft, **form("SN-DRAFT-001"))
    assert order.pk == draft.pk
    line = order.lines.get()
    assert line.state == "submitted" and line.topology.name.endswith(".png")


def test_notice_documents_are_attached_by_the_renderer(service_center, dealer_a, make_unit, settings, tmp_path):
    pytest.importorskip("shouhou.rma.documents")
    from shouhou.notify.documents import event_attach_document
    from shouhou.notify.models import Event

    settings.MEDIA_ROOT = tmp_path
    make_unit("SN-DOC-0001")
    order = order_submit(dealer=dealer_a, actor=service_center, topology_required=False,
                         submitted_at=datetime(2025, 9, 26, 10, tzinfo=TZ), **form("SN-DOC-0001"))
    line_apply(line=order.lines.get(), event="approve", actor=service_center, version=1,
               at=datetime(2025, 9, 26, 15, tzinfo=TZ))
    note = Event.objects.get(name="rma.return_authorisation")
    assert event_attach_document(note) is True
    note.refresh_from_db()
    assert note.attachment.read(5) == b"%PDF-"
    assert event_attach_document(note) is False  # never twice
