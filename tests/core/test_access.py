"""Every page and API route, walked from the URL configuration, denies what it must deny.

New routes are picked up automatically: a route that is neither declared public nor dealer-visible
must refuse a dealer's user. Every route, with parameters and API methods, is also walked with two
dealers' real objects by the isolation matrix in tests/gates/test_isolation_matrix.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Deliberately public: no login, no private data (warranty check, find-my-dealer, calendar).
PUBLIC = {"/healthz", "/accounts/login/", "/api/v1/docs", "/api/v1/openapi.json", "/warranty/", "/dealers/find/",
          "/rma/status/"}
PUBLIC |= {"/faq/", "/api/v1/faq/search"}  # published FAQ articles only
PUBLIC |= {"/cases/status/"}  # a reporter's own case, by number + phone
PUBLIC |= {"/", "/favicon.ico"}  # signed out, / is the public landing (signed in: one's own home)
PUBLIC |= {"/accounts/password/reset/", "/accounts/password/reset/sent/", "/accounts/password/reset/done/"}
PUBLIC |= {"/policy/", "/api/v1/policy"}  # the published policy texts (DESIGN §6)
PUBLIC_PREFIXES = ("/api/v1/calendar/",)
# Pages a dealer's user may open; what they show is scoped to the dealer (the portal grows this).
DEALER_VISIBLE = {"/", "/accounts/password/", "/accounts/password/done/", "/api/v1/me", "/api/v1/dealers",
                  "/units/", "/units/export.xlsx", "/units/labels.pdf", "/api/v1/units", "/api/v1/customers",
                  "/api/v1/service-orders"}
DEALER_VISIBLE |= {"/api/v1/faq/articles"}  # published articles only for dealers
DEALER_VISIBLE |= {"/api/v1/cases"}  # scoped to the dealer, complaints never shown
DEALER_VISIBLE |= {"/notify/unread/", "/notify/inbox/read/", "/notify/preference/"}  # the user's own inbox
DEALER_VISIBLE |= {"/api/v1/reports/deadlines", "/api/v1/reports/backlog", "/api/v1/reports/turnaround",
                   "/api/v1/reports/quality", "/api/v1/reports/dealers", "/api/v1/reports/cases"}  # own figures
DEALER_PREFIXES = ("/portal/",)  # the dealer portal: scoped to the dealer by every view
SKIP = {"/accounts/logout/", "/i18n/setlang/"}  # POST-only actions, tested elsewhere
SKIP |= {"/api/v1/receipts"}  # POST-only: tests/gates (POST /api/v1/receipts, staff rule)


def _public(path: str) -> bool:
    return path in PUBLIC or path.startswith(PUBLIC_PREFIXES)


def _walk(resolver: URLResolver, prefix: str = "") -> list[str]:
    paths = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                paths.append("/admin/")
                continue
            paths += _walk(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(" not in route and "^" not in route:
            paths.append("/" + prefix + route)
    return sorted(set(paths))


ALL_PATHS = _walk(get_resolver())


def test_the_walk_finds_the_routes():
    assert {"/", "/audit/", "/api/v1/me", "/admin/"} <= set(ALL_PATHS)


@pytest.mark.parametrize("path", [p for p in ALL_PATHS if not _public(p) and p not in SKIP])
def test_anonymous_is_sent_to_login_or_refused(client, path):
    response = client.get(path)
    assert response.status_code in {302, 401, 404}, path
    if response.status_code == 302:
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("path", [p for p in ALL_PATHS if not _public(p) and p not in DEALER_VISIBLE | SKIP
                                  and not p.startswith(DEALER_PREFIXES)])
def test_dealer_user_is_refused_every_staff_route(client_for, alice, path):
    response = client_for(alice).get(path)
    assert response.status_code in {302, 401, 403, 404}, path
    if response.status_code == 302:
        assert "/login/" in response["Location"]


def test_dealer_cannot_open_the_admin_even_with_is_staff(client_for, alice):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    response = client_for(alice).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_dealer_api_lists_only_its_own_dealer(client, alice, dealer_b, token_for):
    response = client.get("/api/v1/dealers", headers={"Authorization": f"Bearer {token_for(alice)}"})
    assert response.status_code == 200
    assert [d["code"] for d in response.json()] == ["GX-A01"]


def test_other_dealers_object_is_404_on_the_api(client, alice, dealer_b, token_for):
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    assert client.get(f"/api/v1/dealers/{dealer_b.code}", headers=auth).status_code == 404
    assert client.get("/api/v1/dealers/GX-A01", headers=auth).status_code == 200


def test_staff_dashboard_shows_real_counts(client_for, manager, dealer_a, dealer_b):
    body = client_for(manager).get("/").content.decode()
    assert 'data-stat="dealers">2<' in body


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_pages_send_a_content_security_policy(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
