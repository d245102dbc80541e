"""Every operation of the OpenAPI, walked with unusable input: no answer is a 5xx.

Path parameters get overflowing ids (2⁶³, 2⁶⁴, -1) and far dates; query parameters get
overflowing pages and sizes and the calendar's edges; bodies get garbage and a body larger
than the upload limit. Each operation runs as staff and as a dealer, on whichever database the
suite runs on (SQLite by default, PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

OVERFLOW_INTS = [str(2**63), str(2**64), "-1", "0", "99999999999999999999999999"]
PAGES = [str(2**62), str(2**63), "-5", "0"]
DATES = ["9999-12-31", "0001-01-01", "2025-02-30", "9999-12-31T23:59"]
OVERSIZED = 6 * 1024 * 1024


def _operations(client: Client) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.get("/api/v1/openapi.json").json()
    ops = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method, path, op))
    return ops


def _fill(path: str, op: dict[str, Any], value: str) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            name = param["name"]
            kind = param.get("schema", {}).get("type")
            if name == "event":
                filled = "approve"
            elif kind == "integer" or name.endswith("id") or name == "pk":
                filled = value
            else:
                filled = value if not value.isdigit() else "SN" + value
            path = path.replace("{" + name + "}", filled)
    return path


def _query_variants(op: dict[str, Any]) -> list[dict[str, str]]:
    variants: list[dict[str, str]] = [{}]
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        name = param["name"]
        if name in ("page", "page_size", "working_days", "limit", "offset"):
            variants += [{name: v} for v in PAGES]
        elif name in ("on", "start", "date", "since", "until") or "date" in name:
            variants += [{name: v, **({"working_days": "5"} if name == "start" else {})} for v in DATES]
        else:
            variants += [{name: v} for v in (OVERFLOW_INTS[0], "\x00", "x" * 5000)]
    return variants


@pytest.fixture
def roles(transactional_db: None) -> None:
    # A transactional test flushes the tables, role groups from the data migration included.
    from django.contrib.auth.models import Group

    from shouhou.core.roles import Role

    for role in Role.values:
        Group.objects.get_or_create(name=role)


# Transactional: on PostgreSQL a failed statement would abort a shared test transaction and
# make every later request of the walk fail with it.
@pytest.fixture(params=["staff", "dealer"])
def api_client(request, roles, service_center, alice, token_for) -> Client:
    user = service_center if request.param == "staff" else alice
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token_for(user)}"})
    return client


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_5xx_to_overflowing_ids_pages_and_dates(api_client, dealer_a, dealer_b):
    failures = []
    for method, path, op in _operations(api_client):
        for value in OVERFLOW_INTS:
            url = "/api/v1" + _fill(path, op, value) if not path.startswith("/api/v1") else _fill(path, op, value)
            for query in _query_variants(op):
                if method == "get":
                    response = api_client.get(url, query)
                else:
                    response = getattr(api_client, method)(url + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
                                                           json.dumps({"version": 2**63}),
                                                           content_type="application/json")
                if response.status_code >= 500:
                    failures.append((method, path, value, query, response.status_code))
    if failures:
        pytest.fail("\n".join(sorted({f"{m} {p} {v if not q else ''} {str(q)[:60]}" for m, p, v, q, _ in failures})))


@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_an_oversized_body_with_json_413(api_client, dealer_a):
    body = json.dumps({"text": "x" * OVERSIZED})
    failures = []
    for method, path, op in _operations(api_client):
        if method not in ("post", "put", "patch"):
            continue
        url = _fill(path, op, "1")
        url = url if url.startswith("/api/v1") else "/api/v1" + url
        response = getattr(api_client, method)(url, body, content_type="application/json")
        if response.status_code != 413 or not response.headers.get("Content-Type", "").startswith("application/json"):
            failures.append((method, url, response.status_code, response.content[:80]))
        elif response.json().get("code") != "too_large":
            failures.append((method, url, response.json()))
    assert not failures, failures


@pytest.mark.django_db(transaction=True)
def test_garbage_bodies_never_answer_5xx(api_client, dealer_a):
    bodies = ["", "null", "[]", "{", '{"lines": [{"serial": null}]}', json.dumps({"version": "x", "at": 2**70}),
              json.dumps({"contact": {"email": 12}, "lines": "x"}), json.dumps({"replacement_days": 2**70})]
    failures = []
    for method, path, op in _operations(api_client):
        if method not in ("post", "put", "patch"):
            continue
        url = _fill(path, op, "1")
        url = url if url.startswith("/api/v1") else "/api/v1" + url
        for body in bodies:
            response = getattr(api_client, method)(url, body, content_type="application/json")
            if response.status_code >= 500:
                failures.append((method, url, body[:40], response.status_code))
    assert not failures, failures


@pytest.mark.django_db(transaction=True)
def test_a_nul_character_in_a_json_body_is_refused_before_any_operation(api_client, dealer_a):
    # PostgreSQL refuses NUL in text at write time; every operation must refuse it as bad input.
    body = json.dumps({"title": "无盘\u0000蓝屏", "body": "x", "name": "a\u0000", "lines": []})
    failures = []
    for method, path, op in _operations(api_client):
        if method not in ("post", "put", "patch"):
            continue
        url = _fill(path, op, "1")
        url = url if url.startswith("/api/v1") else "/api/v1" + url
        response = getattr(api_client, method)(url, body, content_type="application/json")
        if response.status_code != 422 or response.json()["code"] != "invalid":
            failures.append((method, url, response.status_code))
    assert not failures, failures
    escaped = json.dumps({"text": "a literal \\u0000 is text"})  # an escaped backslash: not a NUL
    response = api_client.post("/api/v1/cases", escaped, content_type="application/json")
    assert response.status_code != 422 or response.json().get("detail") != "请求参数含有无效字符。"
