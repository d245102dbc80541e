"""Access rules of the working-day calendar's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.workdays.models import CompanyDay, OfficialYear
from tests.gates.rules import Kind, public, staff

KINDS = {
    "official_year": Kind(fill=lambda seed, dealer_: {"year": OfficialYear.objects.order_by("year").first().year},
                          missing={"year": 1999}),
    "company_day": Kind(fill=lambda seed, dealer_: {"pk": CompanyDay.objects.order_by("pk").first().pk},
                        missing={"pk": 987654321}),
}

RULES = {
    "calendar_month": staff(),
    "calendar_years": staff(),
    "calendar_year_edit": staff("official_year"),
    "calendar_year_delete": staff("official_year"),
    "calendar_import": staff(),
    "company_days": staff(),
    "company_day_edit": staff("company_day"),
    "company_day_delete": staff("company_day"),
    "calendar_settings": staff(),
    "GET /api/v1/calendar/due": public(),
    "GET /api/v1/calendar/{year}/{month}": public(year=2025, month=10),
}
