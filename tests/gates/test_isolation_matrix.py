"""The isolation matrix: every page and API operation, called by each kind of caller with real
objects of two dealers, answers as the route's declared rule says.

Routes come from the URL resolver and the OpenAPI document, so a new route is walked from its
first commit; a route without a rule in `tests/<app>/access_rules.py` fails here with what to
declare. For a dealer-scoped route, dealer A asking for dealer B's object gets 404 with exactly
the answer it gets for an object that does not exist.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.gates.routes import Route, all_routes, declared, missing_rule_message
from tests.gates.rules import Rule
from tests.gates.seed import Seed

ROUTES = all_routes()
RULES, KINDS, WHERE = declared()
CASES = [pytest.param(route, method, id=route.key if route.api else f"{method} {route.key}")
         for route in ROUTES for method in route.methods]


def _call(route: Route, method: str, rule: Rule, kwargs: dict[str, Any] | None, *, user: Any = None,
          token: str | None = None) -> Any:
    client = Client()
    if route.api:
        url = route.pattern.format(**(kwargs or {}))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            return client.get(url, rule.query, headers=headers)
        url += "?" + urlencode(rule.query) if rule.query else ""
        if rule.body and any(isinstance(v, bytes) for v in rule.body.values()):  # an upload: multipart
            data = {k: SimpleUploadedFile(f"{k}.png", v) if isinstance(v, bytes) else v for k, v in rule.body.items()}
            return client.post(url, data, headers=headers)
        return client.generic(method, url, json.dumps(rule.body or {}), content_type="application/json",
                              headers=headers)
    if user is not None:
        client.force_login(user)
    url = reverse(route.key, kwargs=kwargs or None)
    if method == "GET":
        return client.get(url, rule.query)
    return client.post(url + ("?" + urlencode(rule.query) if rule.query else ""), rule.body or {})


_VARYING = [re.compile(p) for p in (r'nonce="[^"]*"', r'name="csrfmiddlewaretoken" value="[^"]*"',
                                     r'"X-CSRFToken": "[^"]*"', r'csrf[-_]token" content="[^"]*"')]


def _shape(response: Any) -> Any:
    """What a caller learns from an answer: status and body (JSON as data; HTML minus per-request tokens)."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response.status_code, response.json()
    body = response.content.decode(errors="replace")
    for pattern in _VARYING:
        body = pattern.sub("", body)
    return response.status_code, body


def _diff(others: Any, missing: Any) -> str:
    a, b = (str(_shape(r)[1]).splitlines() for r in (others, missing))
    return "\n".join(difflib.unified_diff(a, b, "another dealer's object", "a missing object", lineterm="", n=1))


def _denied_anonymous(route: Route, response: Any) -> bool:
    if route.api:
        return response.status_code == 401
    return response.status_code == 302 and "/login/" in response["Location"]


def _describe(who: str, response: Any) -> str:
    return f"{who} got {response.status_code}: {response.content[:300].decode(errors='replace')}"


def _kwargs(route: Route, rule: Rule, seed: Seed, which: str) -> dict[str, Any]:
    if rule.kind is None:
        values: dict[str, Any] = {}
    else:
        kind = KINDS.get(rule.kind)
        assert kind is not None, (f"{route}: its rule in {WHERE[route.key]} names the object kind {rule.kind!r}, "
                                  f"which no access_rules.py declares in KINDS (known: {', '.join(sorted(KINDS))})")
        if which == "missing":
            values = dict(kind.missing)
        else:
            values = kind.fill(seed, seed.dealer_a if which == "a" else seed.dealer_b)
    values.update(rule.fixed)
    assert set(values) == set(route.params), (
        f"{route}: parameters {sorted(route.params)}, but its rule in {WHERE[route.key]} fills {sorted(values)}")
    return values


def test_every_route_has_a_rule():
    missing = [missing_rule_message(r, KINDS) for r in ROUTES if r.key not in RULES]
    assert not missing, "\n\n".join(missing)


def test_every_rule_names_a_route():
    keys = {r.key for r in ROUTES}
    stale = [f"{key} (in {WHERE[key]})" for key in RULES if key not in keys]
    assert not stale, "rules for routes that no longer exist; remove them: " + ", ".join(stale)


def test_the_walk_finds_pages_with_parameters_and_api_operations():
    keys = {r.key for r in ROUTES}
    assert {"rma_order", "portal_order", "unit_detail", "GET /api/v1/service-orders/{order_id}",
            "POST /api/v1/service-orders/{order_id}/lines/{line_id}/{event}"} <= keys


@pytest.mark.parametrize(("route", "method"), CASES)
def test_route_answers_each_caller_as_its_rule_says(seed: Seed, db: None, settings: Any, route: Route,
                                                      method: str) -> None:
    settings.PUBLIC_RATE = "off"
    rule = RULES.get(route.key)
    if rule is None:
        pytest.fail(missing_rule_message(route, KINDS))
    if rule.access == "skip":
        pytest.skip(rule.note)

    def call(kwargs: dict[str, Any] | None, who: str) -> Any:
        if who == "anonymous":
            return _call(route, method, rule, kwargs)
        if who == "staff":
            return _call(route, method, rule, kwargs, user=seed.staff, token=seed.staff_token)
        return _call(route, method, rule, kwargs, user=seed.user_a, token=seed.token_a)

    # Filled before any call: a staff POST may delete the object it is given.
    own, theirs, missing_ids = (_kwargs(route, rule, seed, which) for which in ("a", "b", "missing"))
    # The caller the route is for answers first; that also says whether it takes this method at all.
    probe = "dealer A" if rule.access == "portal" else "staff"
    first = call(own, probe)
    assert first.status_code < 500, _describe(probe, first)
    if first.status_code == 405:
        for who in ("anonymous", "dealer A", "staff"):
            response = call(own, who)
            assert response.status_code in {302, 401, 404, 405}, _describe(who, response)
        return
    if rule.access != "public":
        assert first.status_code != 404, (
            f"{route}: {probe} got 404 for dealer A's object {own}: the kind's fill() does not name a real "
            f"object, or the rule in {WHERE[route.key]} lacks a parameter (query=...)\n" + _describe(probe, first))

    anonymous = call(own, "anonymous")
    if rule.access == "public":
        assert anonymous.status_code < 500 and not _denied_anonymous(route, anonymous), _describe(
            "anonymous", anonymous)
        return
    assert _denied_anonymous(route, anonymous), _describe("anonymous (expected the login page or 401)", anonymous)

    if rule.access == "staff":
        for whose, kwargs in (("its own", own), ("dealer B's", theirs)):
            response = call(kwargs, "dealer A")
            assert response.status_code in {403, 404}, _describe(
                f"dealer A, on a staff-only route with {whose} object (expected 403/404)", response)
        return
    if rule.access == "signed_in":
        dealer_own = call(own, "dealer A")
        assert dealer_own.status_code < 500 and dealer_own.status_code != 404, _describe("dealer A", dealer_own)
        return
    if rule.access == "portal":
        as_staff = call(own, "staff")
        assert as_staff.status_code in {403, 404}, _describe("staff, on a portal route (expected 403/404)", as_staff)
    else:
        dealer_own = call(own, "dealer A")
        assert dealer_own.status_code < 500 and dealer_own.status_code != 404, _describe(
            "dealer A, with its own object", dealer_own)
    if rule.kind is None:
        return
    others = call(theirs, "dealer A")
    assert others.status_code == 404, _describe("dealer A, with dealer B's object (expected 404)", others)
    missing = call(missing_ids, "dealer A")
    assert _shape(others) == _shape(missing), (
        f"{route}: dealer A can tell dealer B's object from a missing one:\n" + _diff(others, missing))
