"""/api/v1/reports/*: the shapes, bad input as 422 with a code, and dealer tokens on their own figures."""

from __future__ import annotations

import pytest

NOV = {"from": "2025-11-01", "to": "2025-11-30"}
REPORTS = ["deadlines", "backlog", "turnaround", "quality", "dealers", "cases"]


def test_deadlines_report_has_exactly_the_documented_shape(november, staff_api) -> None:
    resp = staff_api.get("/reports/deadlines", **NOV)
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == ["steps"]
    assert all(list(s) == ["step", "met", "late", "open_overdue"] for s in body["steps"])
    review = body["steps"][0]
    assert review == {"step": "review", "met": 2, "late": 1, "open_overdue": 1}


def test_a_dealer_token_gets_its_own_figures_only(november, alice_api, bob_api) -> None:
    alice = alice_api.get("/reports/deadlines", **NOV).json()["steps"][0]
    bob = bob_api.get("/reports/deadlines", **NOV).json()["steps"][0]
    assert (alice["met"], alice["late"], alice["open_overdue"]) == (2, 0, 1)
    assert (bob["met"], bob["late"], bob["open_overdue"]) == (0, 1, 0)
    assert [d["code"] for d in bob_api.get("/reports/dealers", **NOV).json()["dealers"]] == ["GD-B02"]
    assert bob_api.get("/reports/backlog", **NOV).json()["open"] == 1


@pytest.mark.parametrize("report", REPORTS)
def test_another_dealers_code_is_a_404_for_a_dealer_token(november, bob_api, report) -> None:
    resp = bob_api.get(f"/reports/{report}", **NOV, dealer="GX-A01")
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_answers_staff_and_dealers(november, staff_api, alice_api, report) -> None:
    assert staff_api.get(f"/reports/{report}", **NOV).status_code == 200
    assert alice_api.get(f"/reports/{report}", **NOV).status_code == 200


@pytest.mark.parametrize(("params", "code"), [
    ({"from": "2025-13-01", "to": "2025-11-30"}, "bad_date"),
    ({"from": "2025-11-01", "to": "11/30/2025"}, "bad_date"),
    ({"from": "2025-12-01", "to": "2025-11-30"}, "period_reversed"),
    ({"from": "2020-01-01", "to": "2025-11-30"}, "period_too_long"),
    ({"from": "99999-01-01"}, "bad_date"),
])
@pytest.mark.parametrize("report", REPORTS)
def test_bad_periods_are_a_422_with_a_code(staff_api, report, params, code) -> None:
    resp = staff_api.get(f"/reports/{report}", **params)
    assert resp.status_code == 422
    assert resp.json()["code"] == code
    assert resp.json()["detail"]


def test_unknown_dealer_model_and_region_are_404(staff_api) -> None:
    for params in ({"dealer": "NOPE"}, {"model": "NOPE"}, {"region": "999999"}):
        resp = staff_api.get("/reports/deadlines", **params)
        assert resp.status_code == 404
        assert resp.json()["code"] == "not_found"
        assert resp.json()["field"] == next(iter(params))


def test_without_a_token_reports_are_refused(client, db) -> None:
    assert client.get("/api/v1/reports/deadlines").status_code == 401


def test_the_reports_are_in_the_openapi_with_examples(staff_api) -> None:
    schema = staff_api.client.get("/api/v1/openapi.json").json()
    for report in REPORTS:
        assert f"/api/v1/reports/{report}" in schema["paths"]
    assert schema["components"]["schemas"]["DeadlinesOut"]["examples"][0]["steps"][0]["step"] == "review"
    params = {p["name"] for p in schema["paths"]["/api/v1/reports/deadlines"]["get"]["parameters"]}
    assert {"from", "to", "dealer", "model", "region"} <= params


def test_turnaround_and_quality_figures(november, staff_api) -> None:
    paths = {p["path"]: p for p in staff_api.get("/reports/turnaround", **NOV).json()["paths"]}
    assert (paths["free_replacement"]["median"], paths["free_repair"]["p90"]) == (6, 7)
    assert paths["free_repair"]["distribution"][2] == {"bucket": "6–10", "count": 1}
    quality = staff_api.get("/reports/quality", **NOV).json()
    assert quality["models"][0]["inspected"] == 2
