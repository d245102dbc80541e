"""Access rules of the reports API (see tests/gates/rules.py and docs/testing.md)."""

from tests.gates.rules import dealer, staff

RULES = {
    **{f"GET /api/v1/reports/{name}": dealer()
       for name in ("deadlines", "backlog", "turnaround", "quality", "dealers", "cases")},
    # Pages and their exports: managers.
    "reports_dashboard": staff(),
    "reports_quality": staff(),
    "reports_dealers": staff(),
    "reports_list_export": staff(name="overdue"),
    "reports_figure_export": staff(page="dashboard", key="backlog"),
}
