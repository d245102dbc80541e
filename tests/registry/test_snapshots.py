"""Hardware snapshots from the cloud-management platform: pushed with an integration token, listed
with what changed, scoped to the unit's dealer, shown on the unit page."""

from __future__ import annotations

import json

import pytest

from shouhou.core.models import AuditEvent
from shouhou.registry.models import UnitSnapshot
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db

FIRST = {"cpu": {"model": "Xeon E5-2680 v4", "cores": 14}, "memory_gb": 64,
         "disks": [{"slot": 0, "model": "ST4000NM"}], "bios": "2.1.6"}
SECOND = {"cpu": {"model": "Xeon E5-2680 v4", "cores": 14}, "memory_gb": 128,
          "disks": [{"slot": 0, "model": "ST4000NM"}, {"slot": 1, "model": "ST8000NM"}]}


@pytest.fixture
def units(dealer_a, dealer_b):
    model = make_model()
    return make_unit("SNA0001", model, dealer=dealer_a), make_unit("SNB0001", model, dealer=dealer_b)


@pytest.fixture
def platform(make_user):
    return make_user("integration", username="cloud")


def _post(client, token, serial, body, raw=None):
    return client.post(f"/api/v1/units/{serial}/snapshots", raw if raw is not None else json.dumps(body),
                       content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def _get(client, token, serial):
    return client.get(f"/api/v1/units/{serial}/snapshots", headers={"Authorization": f"Bearer {token}"})


def test_the_platform_pushes_snapshots_and_the_list_says_what_changed(client, token_for, units, platform, alice):
    token = token_for(platform)
    first = _post(client, token, "sna0001", {"taken_at": "2026-02-09T09:00:00+08:00", "config": FIRST})
    assert first.status_code == 201, first.content
    assert first.json()["changes"] is None and first.json()["source"] == "cloud"
    second = _post(client, token, "SNA0001", {"taken_at": "2026-02-10T09:00:00+08:00", "config": SECOND})
    assert second.status_code == 201
    assert second.json()["changes"] == {
        "added": [{"path": "disks[1]", "value": {"slot": 1, "model": "ST8000NM"}}],
        "removed": [{"path": "bios", "value": "2.1.6"}],
        "changed": [{"path": "memory_gb", "old": 64, "new": 128}],
    }
    body = _get(client, token_for(alice), "SNA0001").json()
    assert body["serial"] == "SNA0001"
    assert [r["config"]["memory_gb"] for r in body["results"]] == [128, 64]
    assert body["results"][0]["changes"]["changed"] == [{"path": "memory_gb", "old": 64, "new": 128}]
    assert body["results"][0]["previous_taken_at"] == "2026-02-09T09:00:00+08:00"
    assert body["results"][1]["changes"] is None
    assert AuditEvent.objects.filter(verb="unit.snapshot_recorded").count() == 2


def test_a_backfilled_snapshot_is_compared_with_the_one_before_it(client, token_for, units, platform):
    token = token_for(platform)
    _post(client, token, "SNA0001", {"taken_at": "2026-02-10T09:00:00+08:00", "config": SECOND})
    older = _post(client, token, "SNA0001", {"taken_at": "2026-02-01T09:00:00+08:00", "config": FIRST})
    assert older.status_code == 201
    assert older.json()["changes"] is None  # nothing before it


def test_another_dealers_unit_snapshots_are_404(client, token_for, units, platform, alice, bob):
    _post(client, token_for(platform), "SNA0001", {"config": FIRST})
    assert _get(client, token_for(bob), "SNA0001").status_code == 404
    assert _get(client, token_for(bob), "NOPE999").status_code == 404
    assert _get(client, token_for(alice), "SNA0001").status_code == 200


@pytest.mark.parametrize("who", ["alice", "service_center"])
def test_only_integration_tokens_may_push(client, token_for, units, request, who):
    user = request.getfixturevalue(who)
    response = _post(client, token_for(user), "SNA0001", {"config": FIRST})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert not UnitSnapshot.objects.exists()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"config": [1, 2]}, 422, "snapshot_invalid"),
    ({"config": "cpu=xeon"}, 422, "snapshot_invalid"),
    ({"config": {"blob": "x" * 70_000}}, 413, "snapshot_too_large"),
    ({"config": FIRST, "taken_at": "2099-01-01T00:00:00+08:00"}, 422, "invalid"),
])
def test_bad_pushes_are_refused_with_a_code_and_store_nothing(client, token_for, units, platform, body, status,
                                                               code):
    response = _post(client, token_for(platform), "SNA0001", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not UnitSnapshot.objects.exists()
    assert not AuditEvent.objects.filter(verb="unit.snapshot_recorded").exists()


def test_a_huge_body_is_refused_before_anything_else(client, token_for, units, platform):
    raw = json.dumps({"config": {"blob": "x" * 200_000}})
    response = _post(client, token_for(platform), "SNA0001", None, raw=raw)
    assert (response.status_code, response.json()["code"]) == (413, "snapshot_too_large")


def test_a_repeated_push_is_409_and_an_unknown_serial_404(client, token_for, units, platform):
    token = token_for(platform)
    body = {"taken_at": "2026-02-10T09:00:00+08:00", "config": FIRST}
    assert _post(client, token, "SNA0001", body).status_code == 201
    again = _post(client, token, "SNA0001", body)
    assert (again.status_code, again.json()["code"]) == (409, "snapshot_exists")
    assert _post(client, token, "NOPE999", body).status_code == 404
    assert UnitSnapshot.objects.count() == 1


def test_snapshots_are_in_the_openapi_with_an_example(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/units/{serial}/snapshots"])
    assert spec["components"]["schemas"]["SnapshotIn"]["examples"][0]["config"]["memory_gb"] == 128


def test_unit_page_shows_the_latest_snapshot_and_its_changes(client, client_for, token_for, units, platform,
                                                             service_center, alice, bob):
    token = token_for(platform)
    _post(client, token, "SNA0001", {"taken_at": "2026-02-09T09:00:00+08:00", "config": FIRST})
    _post(client, token, "SNA0001", {"taken_at": "2026-02-10T09:00:00+08:00", "config": SECOND})
    body = client_for(service_center).get("/units/SNA0001/").content.decode()
    assert "2026-02-10 09:00" in body
    assert 'data-change="changed"' in body and "memory_gb" in body
    assert 'data-change="removed"' in body and "bios" in body
    assert 'data-change="added"' in body and "disks[1]" in body
    assert "memory_gb" in client_for(alice).get("/units/SNA0001/").content.decode()
    assert client_for(bob).get("/units/SNA0001/").status_code == 404
    assert "尚未上报配置快照" in client_for(service_center).get("/units/SNB0001/").content.decode()
