"""Access rules of cases' pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.cases.models import CaseAttachment, Team
from tests.gates.rules import Kind, dealer, portal, public, staff


def _case(dealer_):
    """The dealer's case that tests/gates/seed.py opened from its portal, with a topology diagram."""
    return CaseAttachment.objects.filter(case__dealer=dealer_).select_related("case").order_by("pk").first()


NOTE = {"version": 1, "text": "门禁测试"}

KINDS = {
    "case": Kind(fill=lambda seed, d: {"pk": _case(d).case_id}, missing={"pk": 987654321}),
    "case_attachment": Kind(fill=lambda seed, d: {"pk": _case(d).case_id, "attachment_id": _case(d).pk},
                            missing={"pk": 987654321, "attachment_id": 987654321}),
    # Teams belong to no dealer: the default team of the data migration.
    "team": Kind(fill=lambda seed, d: {"pk": Team.objects.get(key="support").pk}, missing={"pk": 987654321}),
    # tests/gates/seed.py opens one case per dealer from its portal.
    "api_case": Kind(fill=lambda seed, d: {"case_id": _case(d).case_id},
                     missing={"case_id": 987654321}),
}

RULES = {
    # Public: 扫码报修 (a unit by serial, as the unit page) and the case status by number + phone.
    "case_report": public("unit"),
    "case_status": public(),
    "GET /api/v1/cases": dealer(),
    "POST /api/v1/cases": dealer(),
    "GET /api/v1/cases/{case_id}": dealer("api_case"),
    "POST /api/v1/cases/{case_id}/{event}": dealer("api_case", event="note", body=NOTE),
    # Staff pages.
    "case_list": staff(),
    "case_export": staff(),
    "case_mine": staff(),
    "case_triage_queue": staff(),
    "case_team_queue": staff(),
    # Teams: managers and administrators (other staff get 404, tests/cases/test_teams.py).
    "team_list": staff(),
    "team_new": staff(),
    "team_edit": staff("team"),
    "intake": staff(),
    "case_detail": staff("case"),
    "case_event": staff("case", event="note", body={"text": "门禁测试"}),
    "case_triage": staff("case"),
    "case_diagnostic": staff("case"),
    "case_attach": staff("case"),
    "case_complaint": staff("case"),
    "case_attachment": staff("case_attachment"),
    # The dealer portal.
    "portal_cases": portal(),
    "portal_case_export": portal(),
    "portal_case": portal("case"),
    "portal_case_event": portal("case", event="note", body={"text": "门禁测试"}),
    "portal_case_attachment": portal("case_attachment"),
    # The reporter's rating link (a token mailed when the case is resolved).
    "case_rate": public(token="no-such-rating-token"),
}
