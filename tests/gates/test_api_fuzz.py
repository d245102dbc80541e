"""API fuzzing: schemathesis generates requests for every operation of the OpenAPI document and
sends them, in-process through the WSGI application, with a staff and a dealer token on the
seeded database. No answer may be a 5xx, and every documented answer must match its schema.

SHOUHOU_FUZZ_EXAMPLES sets the generated examples per operation and token (10 by default; with the
ones schemathesis derives from the schema, about 3,000 requests in all); for a release:
`SHOUHOU_FUZZ_EXAMPLES=500 scripts/test tests/gates/test_api_fuzz.py`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.failures import FailureGroup, ServerError

from shouhou.api.urls import api
from tests.gates.seed import Seed

EXAMPLES = int(os.environ.get("SHOUHOU_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance]
SENT: dict[str, int] = {}  # requests sent per test, printed at the end of the module (-s) for the record


@dataclass(frozen=True)
class Known:
    """A 5xx found by fuzzing that another change is fixing. The fuzzer lets it pass (and counts it)
    only for this operation and inputs matching `matches`; `reproduce` is a strict xfail, so the
    fix turns it into a failure that says: delete this entry."""

    reason: str
    matches: Callable[[Any], bool]
    reproduce: str  # a path with query string that gives the 5xx today


def _huge_integer(case: Any) -> bool:
    """A query or path value that is an integer beyond 32 bits (overflowing ids and pages)."""
    values = [*(case.query or {}).values(), *(case.path_parameters or {}).values()]
    return any(re.fullmatch(r"-?\d{10,}", str(v)) for v in values)


# Emptied by the fix of overflowing ids/pages/dates and oversized bodies (issue 12). Entries look like
#     "GET /api/v1/service-orders": Known("a page number beyond 64 bits overflows the OFFSET (500)",
#                                         _huge_integer, "/api/v1/service-orders?page=188971489150875543005976068096"),
KNOWN: dict[str, Known] = {}
KNOWN_SEEN: dict[str, int] = {}


# The document comes from the application itself, in-process (the same one /api/v1/openapi.json
# serves, without a request: collection may not use the database); requests go through WSGI.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder)))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _quiet_connection(seed: Seed, db: None, settings: Any) -> Iterator[None]:
    settings.PUBLIC_RATE = "off"  # the rate limit has its own tests; here it would only answer 429
    # Like Django's test client: the request signals must not close the connection that holds
    # the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", ["staff", "dealer"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_answers_without_5xx_and_as_documented(case: Any, who: str, seed: Seed) -> None:
    token = seed.staff_token if who == "staff" else seed.token_a
    label = case.operation.label
    SENT[f"{who} {label}"] = SENT.get(f"{who} {label}", 0) + 1
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    except FailureGroup as exc:
        known = KNOWN.get(label)
        if known and known.matches(case) and all(isinstance(f, ServerError) for f in exc.exceptions):
            KNOWN_SEEN[label] = KNOWN_SEEN.get(label, 0) + 1
            return
        raise


@pytest.mark.parametrize("label", sorted(KNOWN))
@pytest.mark.xfail(strict=True, reason="a known 5xx (see KNOWN); when this passes, delete its KNOWN entry")
def test_known_failure_is_still_there(label: str, seed: Seed) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(KNOWN[label].reproduce, headers={"Authorization": f"Bearer {seed.staff_token}"})
    assert response.status_code < 500, KNOWN[label].reason


# Stateful: schemathesis infers links between operations from the document (a created unit's
# serial feeds GET/PATCH /units/{serial}, an order's id its line events, ...) and walks them.
Workflow = schema.as_state_machine()


@pytest.mark.parametrize("who", ["staff", "dealer"])
def test_api_sequences_follow_the_links_without_5xx(who: str, seed: Seed) -> None:
    token = seed.staff_token if who == "staff" else seed.token_a

    class Walk(Workflow):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            SENT[f"{who} stateful"] = SENT.get(f"{who} stateful", 0) + 1
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Walk.run(settings=settings(max_examples=max(EXAMPLES // 2, 5), stateful_step_count=6, deadline=None,
                               suppress_health_check=list(HealthCheck)))


@pytest.fixture(scope="module", autouse=True)
def _report_requests() -> Iterator[None]:
    yield
    if SENT:
        print(f"\nAPI fuzzing sent {sum(SENT.values())} requests: "
              + ", ".join(f"{key}: {n}" for key, n in sorted(SENT.items())))
    if KNOWN_SEEN:
        print("Known 5xx let through: " + ", ".join(f"{k}: {n}" for k, n in KNOWN_SEEN.items()))
