"""Access rules of cases' pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.cases.models import Case
from tests.gates.rules import Kind, dealer, public

KINDS = {
    # tests/gates/seed.py opens one case per dealer from its portal.
    "api_case": Kind(fill=lambda seed, d: {"case_id": Case.objects.filter(dealer=d).order_by("pk").first().pk},
                     missing={"case_id": 987654321}),
}

RULES = {
    # Public: 扫码报修 (a unit by serial, as the unit page) and the case status by number + phone.
    "case_report": public("unit"),
    "case_status": public(),
    "case_rate": public(token="no-such-token"),  # links are stored as digests: any token answers alike
    "GET /api/v1/cases": dealer(),
    "POST /api/v1/cases": dealer(),
    "GET /api/v1/cases/{case_id}": dealer("api_case"),
    "POST /api/v1/cases/{case_id}/{event}": dealer("api_case", event="note", body={"version": 1, "text": "门禁测试"}),
}
