"""The 返修跟踪单 is rendered again, as a new version, each time its line moves after receipt; the
page lists the versions; the mail that goes with the shipment carries the latest one."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from shouhou.notify.sender import outbox_send_run
from shouhou.rma import services
from shouhou.rma.models import TrackingSheet
from tests.notify.conftest import mail_to, smtp  # noqa: F401 - a real SMTP server on loopback
from tests.rma.test_documents import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def run_queued() -> list[str]:
    """Run every queued task once, as `shouhou worker` would; returns their names."""
    from django_tasks_db.models import DBTaskResult

    done = []
    for result in DBTaskResult.objects.order_by("enqueued_at", "id"):
        import_string(result.task_path).call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        done.append(result.task_path.rsplit(".", 1)[-1])
        result.delete()
    return done


@pytest.fixture
def flow(alice, service_center, make_unit, django_capture_on_commit_callbacks):
    """A free replacement, step by step, with the worker keeping up after each step."""
    unit = make_unit("SN-VER-0001", timezone.localdate() - timedelta(days=10))
    spare = make_unit("SN-VER-SPARE", None, dealer=None, status="in_stock")
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "无法开机"}],
                                  topology_required=False)
    line = order.lines.get()
    moves = {"approve": {}, "receive": {"condition": "外箱完好"},
             "inspect": {"fault_confirmed": True, "damage": [], "components": ["电源模块"]},
             "ship_replacement": {"carrier": "顺丰", "tracking": "SF7788990011", "replacement_serial": spare.serial},
             "confirm_delivery": {}}

    def move(event: str) -> list[str]:
        nonlocal line
        line.refresh_from_db()
        actor = alice if event == "confirm_delivery" else service_center
        with django_capture_on_commit_callbacks(execute=True):
            line = services.line_apply(line=line, event=event, actor=actor, version=line.version,
                                       fields=moves[event])
        done = run_queued()
        # The test's transaction never commits, so the outbox's "wake the sender once per
        # transaction" only queued its first run: send as that run would.
        outbox_send_run()
        return done

    return order, lambda: line, move


def versions(line) -> list[tuple[int, int]]:
    return list(TrackingSheet.objects.filter(line=line).order_by("version").values_list("version", "line_version"))


def test_each_move_after_receipt_adds_a_version(flow):
    _, line, move = flow
    assert "tracking_sheet_render" not in move("approve")
    assert versions(line()) == []  # nothing received yet: no sheet
    expected = []
    for n, event in enumerate(("receive", "inspect", "ship_replacement", "confirm_delivery"), start=1):
        assert "tracking_sheet_render" in move(event)
        expected.append((n, line().version))
        assert versions(line()) == expected
    for sheet in TrackingSheet.objects.filter(line=line()):
        assert bytes(sheet.pdf).startswith(b"%PDF") and sheet.checksum == hashlib.sha256(sheet.pdf).hexdigest()


def test_a_render_task_run_again_adds_nothing(flow):
    from shouhou.rma.tasks import tracking_sheet_render

    _, line, move = flow
    for event in ("approve", "receive", "inspect"):
        move(event)
    assert [v for v, _ in versions(line())] == [1, 2]
    # A worker that died after committing is recovered and runs the task again.
    assert tracking_sheet_render.call(line_id=line().pk) == 2
    assert [v for v, _ in versions(line())] == [1, 2]


def test_the_sheet_after_shipping_has_everything_and_older_versions_stay(flow, tmp_path, artifacts):
    order, line, move = flow
    for event in ("approve", "receive", "inspect", "ship_replacement"):
        move(event)
    order.refresh_from_db()
    sheets = list(TrackingSheet.objects.filter(line=line()).order_by("version"))
    latest = pdf_text(bytes(sheets[-1].pdf), tmp_path).replace(" ", "")
    for expected in ("返修跟踪单", order.number, "第3版", "SN-VER-0001", "SN-VER-SPARE", "顺丰", "SF7788990011",
                     "外箱完好", "电源模块", "免费换货", "处理记录", "签收", "检测", "发出换货新机",
                     "换货新机：SN-VER-SPARE"):
        assert expected in latest, expected
    at_inspection = pdf_text(bytes(sheets[1].pdf), tmp_path).replace(" ", "")
    assert "第2版" in at_inspection and "电源模块" in at_inspection
    assert "SF7788990011" not in at_inspection and "SN-VER-SPARE" not in at_inspection
    (tmp_path / "sheet.pdf").write_bytes(bytes(sheets[-1].pdf))
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(tmp_path / "sheet.pdf"),
                    str(artifacts / "repair_tracking_sheet_versioned")], check=True)


def test_the_mail_with_the_shipment_carries_the_latest_sheet(flow, mail_to):  # noqa: F811
    _, line, move = flow
    for event in ("approve", "receive", "inspect"):
        move(event)
    move("ship_replacement")
    latest = TrackingSheet.objects.filter(line=line()).order_by("-version").first()
    assert latest.version == 3
    sheets = {}
    for mail in (m.message for m in mail_to.received):
        for part in mail.iter_attachments():
            if part.get_filename().startswith("repair_tracking_sheet"):
                sheets[mail["Subject"]] = part
    assert len(sheets) == 2, [m.message["Subject"] for m in mail_to.received]
    shipped = next(p for s, p in sheets.items() if "发货" in s)
    assert shipped.get_filename().endswith("-v3.pdf")
    assert hashlib.sha256(shipped.get_content()).hexdigest() == latest.checksum
    inspected = next(p for s, p in sheets.items() if "返修跟踪单" in s)
    assert inspected.get_filename().endswith("-v2.pdf")  # mailed at inspection: that version, as it was


def test_the_portal_offers_the_latest_and_lists_the_older_versions(flow, client_for, alice, tmp_path):
    order, line, move = flow
    for event in ("approve", "receive", "inspect", "ship_replacement"):
        move(event)
    client = client_for(alice)
    page = client.get(f"/portal/orders/{order.pk}/").content.decode()
    assert 'data-sheet-latest="3"' in page
    for version in (1, 2):
        assert f"/portal/orders/{order.pk}/lines/{line().pk}/sheets/{version}.pdf" in page
    latest = client.get(f"/portal/orders/{order.pk}/documents/repair_tracking_sheet.pdf", {"line": line().pk})
    assert latest.status_code == 200
    assert hashlib.sha256(latest.content).hexdigest() == TrackingSheet.objects.get(line=line(), version=3).checksum
    first = client.get(f"/portal/orders/{order.pk}/lines/{line().pk}/sheets/1.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "SF7788990011" not in pdf_text(first.content, tmp_path)
    assert client.get(f"/portal/orders/{order.pk}/lines/{line().pk}/sheets/9.pdf").status_code == 404
    huge = client.get(f"/portal/orders/{order.pk}/lines/{line().pk}/sheets/{2 ** 64}.pdf")
    assert huge.status_code == 404


def test_another_dealer_cannot_fetch_the_sheet(flow, client_for, bob, service_center):
    order, line, move = flow
    for event in ("approve", "receive"):
        move(event)
    client = client_for(bob)
    for url in (f"/portal/orders/{order.pk}/lines/{line().pk}/sheets/1.pdf",
                f"/portal/orders/{order.pk}/documents/repair_tracking_sheet.pdf?line={line().pk}"):
        assert client.get(url).status_code == 404
    assert client_for(service_center).get(f"/rma/orders/{order.pk}/lines/{line().pk}/sheets/1.pdf").status_code == 200


def test_the_download_renders_a_version_the_worker_has_not_made(alice, service_center, make_unit, client_for):
    """A queue that lost the task (or a worker not running yet) still gives the sheet as it stands."""
    unit = make_unit("SN-VER-NOWORK", timezone.localdate() - timedelta(days=10))
    order = services.order_submit(dealer=unit.dealer, actor=alice, contact_name="李工", contact_phone="138",
                                  return_address="南宁", lines=[{"serial": unit.serial, "fault": "无法开机"}],
                                  topology_required=False)
    line = order.lines.get()
    for event, fields in (("approve", {}), ("receive", {"condition": "完好"})):
        line.refresh_from_db()
        line = services.line_apply(line=line, event=event, actor=service_center, version=line.version, fields=fields)
    assert not TrackingSheet.objects.exists()
    response = client_for(alice).get(f"/portal/orders/{order.pk}/documents/repair_tracking_sheet.pdf",
                                     {"line": line.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert versions(line) == [(1, line.version)]
