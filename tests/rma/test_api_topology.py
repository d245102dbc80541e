"""Topology diagrams over the API: a dealer's form is a draft, its diagrams attached, then submitted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhou.rma.models import ServiceOrder
from tests.rma.conftest import order_body

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def attach(api, order, line, content=PNG, name="topo.png"):
    return api.client.post(f"/api/v1/service-orders/{order}/lines/{line}/topology",
                           {"file": SimpleUploadedFile(name, content, content_type="image/png")}, headers=api.headers)


def test_a_dealer_cannot_submit_without_diagrams(alice_api, make_unit):
    make_unit("SN-TOPO-0001")
    response = alice_api.post("/service-orders", order_body("SN-TOPO-0001", submitted_at=None))
    assert response.status_code == 422
    assert response.json()["problems"] == [{"row": 1, "field": "topology", "code": "required", "params": {}}]
    assert not ServiceOrder.objects.exists()


def test_a_dealer_drafts_attaches_and_submits(alice_api, make_unit):
    make_unit("SN-TOPO-0002")
    draft = alice_api.post("/service-orders", {**order_body("SN-TOPO-0002", submitted_at=None), "draft": True})
    assert draft.status_code == 201 and draft.json()["lines"][0]["state"] == "draft"
    order, line = draft.json()["id"], draft.json()["lines"][0]["id"]
    early = alice_api.post(f"/service-orders/{order}/submit")
    assert early.status_code == 422 and early.json()["fields"] == ["lines[1].topology"]
    bad = attach(alice_api, order, line, content=b"MZ not an image")
    assert bad.status_code == 422 and bad.json()["reason"] == "bad_topology"
    assert attach(alice_api, order, line).status_code == 200
    submitted = alice_api.post(f"/service-orders/{order}/submit")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["lines"][0]["state"] == "submitted"
    assert ServiceOrder.objects.get().lines.get().topology.name.endswith(".png")
    again = alice_api.post(f"/service-orders/{order}/submit")
    assert again.status_code == 422 and again.json()["reason"] == "not_draft"


def test_another_dealers_draft_is_404(alice_api, bob_api, make_unit):
    make_unit("SN-TOPO-0003")
    draft = alice_api.post("/service-orders", {**order_body("SN-TOPO-0003", submitted_at=None), "draft": True}).json()
    assert attach(bob_api, draft["id"], draft["lines"][0]["id"]).status_code == 404
    assert bob_api.post(f"/service-orders/{draft['id']}/submit").status_code == 404
