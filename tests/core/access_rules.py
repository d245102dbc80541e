"""Access rules of core's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from tests.gates.rules import dealer, public, skip, staff

RULES = {
    "dashboard": dealer(),
    "healthz": public(),
    "audit_log": staff(),
    "login": public(),
    "logout": skip("signs out and redirects to the login page; tests/e2e/test_login_browser.py"),
    "password_change": dealer(),
    "password_change_done": dealer(),
    "set_language": public(),
    "GET /api/v1/me": dealer(),
}
