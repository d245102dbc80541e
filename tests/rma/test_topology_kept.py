"""A refused web service form keeps its topology diagrams: the page shows them as uploaded and the
resubmit takes them without a second upload (see also tests/e2e/test_form_files_and_sheets.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhou.rma import topology_uploads
from shouhou.rma.models import ServiceOrder, TopologyUpload
from tests.rma.test_views import PNG, form_data, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def recent(make_unit):
    return make_unit("SN-KEPT-0001", timezone.localdate() - timedelta(days=10))


def token_of(body: str, row: int) -> str:
    match = re.search(rf'name="lines-{row}-topology_token"(?: value="([^"]*)")?', body)
    assert match, body
    return match.group(1) or ""


def refused(client, recent) -> str:
    """A form whose second line names no unit: refused, with both diagrams chosen."""
    resp = client.post("/portal/orders/new/", form_data(
        {"serial": recent.serial, "fault": "无法开机", "topology": png("机房拓扑.png")},
        {"serial": "SN-NO-SUCH-0000", "fault": "风扇异响", "topology": png("second.png")}))
    assert resp.status_code == 422
    assert not ServiceOrder.objects.exists()
    return resp.content.decode()


def test_a_refused_form_shows_its_diagrams_as_uploaded(client_for, alice, recent):
    body = refused(client_for(alice), recent)
    assert "SN-NO-SUCH-0000" in body
    assert "已上传：机房拓扑.png" in body and "已上传：second.png" in body
    assert token_of(body, 0) and token_of(body, 1) and token_of(body, 2) == ""
    assert set(TopologyUpload.objects.values_list("uploaded_by", flat=True)) == {alice.pk}


def test_the_resubmit_takes_the_kept_diagram_without_a_new_upload(client_for, alice, recent):
    client = client_for(alice)
    body = refused(client, recent)
    resp = client.post("/portal/orders/new/", form_data(
        {"serial": recent.serial, "fault": "无法开机", "topology_token": token_of(body, 0)},
        {"serial": "", "fault": "", "topology_token": token_of(body, 1), "topology_remove": "on"}))
    assert resp.status_code == 302, resp.content.decode()
    line = ServiceOrder.objects.get().lines.get()
    assert line.serial == recent.serial
    with line.topology.open("rb") as fh:
        assert fh.read() == PNG
    assert list(TopologyUpload.objects.values_list("name", flat=True)) == ["second.png"]  # the used one is gone


def test_a_line_still_failing_keeps_its_diagram_again(client_for, alice, recent):
    client = client_for(alice)
    body = refused(client, recent)
    again = client.post("/portal/orders/new/", form_data(
        {"serial": recent.serial, "fault": "无法开机", "topology_token": token_of(body, 0)},
        {"serial": "SN-NO-SUCH-0001", "fault": "风扇异响", "topology_token": token_of(body, 1)}))
    assert again.status_code == 422
    text = again.content.decode()
    assert "已上传：机房拓扑.png" in text and "已上传：second.png" in text and "SN-NO-SUCH-0001" in text


def test_another_users_or_a_forged_token_gives_nothing(client_for, alice, bob, make_unit, dealer_b, recent):
    body = refused(client_for(alice), recent)
    bobs = make_unit("SN-KEPT-BOB", timezone.localdate() - timedelta(days=10), dealer=dealer_b)
    for token in (token_of(body, 0), token_of(body, 0)[:-2] + "xx"):
        resp = client_for(bob).post("/portal/orders/new/", form_data(
            {"serial": bobs.serial, "fault": "无法开机", "topology_token": token}))
        assert resp.status_code == 422
        text = resp.content.decode()
        assert "机房拓扑.png" not in text and "配置拓扑图" in text
    assert not ServiceOrder.objects.exists()


def test_uploads_older_than_a_day_are_purged(client_for, alice, recent):
    refused(client_for(alice), recent)
    later = timezone.now() + topology_uploads.MAX_AGE + timedelta(minutes=1)
    assert topology_uploads.uploads_purge(now=later) == 2
    assert not TopologyUpload.objects.exists()
