"""Access rules of the reports API (see tests/gates/rules.py and docs/testing.md)."""

from tests.gates.rules import dealer

RULES = {
    f"GET /api/v1/reports/{name}": dealer()
    for name in ("deadlines", "backlog", "turnaround", "quality", "dealers", "cases")
}
