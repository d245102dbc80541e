"""Reports over the API (issue 15, item 6): the managers' figures as JSON, one operation each.

Every operation takes `from` and `to` (YYYY-MM-DD, Asia/Shanghai; default the last 90 days,
at most 731 days) and optional `dealer`, `model` and `region` codes. Staff see every dealer's
figures; a dealer's token sees its own only, and another dealer's code is a 404 like an unknown
one. Bad dates are a 422 `{"code": "bad_date" | "period_reversed" | "period_too_long", "detail",
"field"}`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from shouhou.reports import selectors
from shouhou.reports.params import read_filters

router = Router(tags=["reports"])


class ReportQuery(Schema):
    from_: str | None = Field(None, alias="from", description="First day, YYYY-MM-DD (default: 90 days before `to`).",
                              examples=["2025-11-01"])
    to: str | None = Field(None, description="Last day, YYYY-MM-DD (default: today).", examples=["2025-11-30"])
    dealer: str | None = Field(None, description="Dealer code.", examples=["GX-A01"])
    model: str | None = Field(None, description="Product model code.", examples=["SN-S200"])
    region: str | None = Field(None, description="Region code (GB/T 2260) of the dealer: a province or a city.",
                               examples=["450000"])

    def as_params(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "dealer": self.dealer, "model": self.model,
                "region": self.region}


class ErrorOut(Schema):
    code: str
    detail: str
    field: str | None = None


def _filters(request: HttpRequest, q: ReportQuery) -> selectors.Filters:
    return read_filters(request.user, q.as_params())


# --- deadlines ----------------------------------------------------------------------------------


class StepOut(Schema):
    step: str = Field(description="review | ship_advance | contact | ship_replacement | ship_repair | faulty_return")
    met: int = Field(description="Closed on time.")
    late: int = Field(description="Closed after the deadline.")
    open_overdue: int = Field(description="Still open and past the deadline.")


class DeadlinesOut(Schema):
    steps: list[StepOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{"steps": [
        {"step": "review", "met": 41, "late": 3, "open_overdue": 1},
        {"step": "ship_advance", "met": 4, "late": 0, "open_overdue": 0},
        {"step": "contact", "met": 35, "late": 2, "open_overdue": 0},
        {"step": "ship_replacement", "met": 12, "late": 1, "open_overdue": 0},
        {"step": "ship_repair", "met": 20, "late": 0, "open_overdue": 1},
        {"step": "faulty_return", "met": 3, "late": 1, "open_overdue": 0},
    ]}]})


@router.get("/reports/deadlines", response={200: DeadlinesOut, 404: ErrorOut, 422: ErrorOut},
            summary="Deadlines met per step")
def report_deadlines(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """Of the deadlines that fell due in the period: met on time, met late, and still open past due,
    per step of the process (DESIGN §2)."""
    f = _filters(request, q)
    tallies = selectors.deadlines_report(request.user, f, now=timezone.now())
    return {"steps": [{"step": t.step.value, "met": t.met, "late": t.late, "open_overdue": t.open_overdue}
                      for t in tallies]}


# --- backlog ------------------------------------------------------------------------------------


class StatePathOut(Schema):
    state: str
    path: str | None
    count: int


class BacklogOut(Schema):
    open: int
    overdue_vendor: int = Field(description="Open lines past the vendor's deadline.")
    overdue_dealer: int = Field(description="Open lines past the dealer's deadline.")
    awaiting_return: int = Field(description="Advance replacements waiting for the faulty unit.")
    awaiting_return_overdue: int
    by_state_path: list[StatePathOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "open": 57, "overdue_vendor": 2, "overdue_dealer": 1, "awaiting_return": 3, "awaiting_return_overdue": 1,
        "by_state_path": [{"state": "submitted", "path": None, "count": 6},
                          {"state": "repairing", "path": "free_repair", "count": 11}]}]})


@router.get("/reports/backlog", response={200: BacklogOut, 404: ErrorOut, 422: ErrorOut},
            summary="Open lines by state and path")
def report_backlog(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """Open lines now (the period does not apply) by state and path, and how many are overdue."""
    f = _filters(request, q)
    b = selectors.backlog(request.user, f, now=timezone.now())
    return {"open": b.open, "overdue_vendor": b.overdue_vendor, "overdue_dealer": b.overdue_dealer,
            "awaiting_return": b.awaiting_return, "awaiting_return_overdue": b.awaiting_return_overdue,
            "by_state_path": b.by_state_path}


# --- turnaround ---------------------------------------------------------------------------------


class BucketOut(Schema):
    bucket: str = Field(description="Working days, e.g. `0–3` or `≥21`.")
    count: int


class TurnaroundPathOut(Schema):
    path: str
    lines: int
    median: int | None = Field(description="Working days from report to shipment, nearest rank.")
    p90: int | None
    distribution: list[BucketOut]


class TurnaroundOut(Schema):
    paths: list[TurnaroundPathOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{"paths": [
        {"path": "free_repair", "lines": 20, "median": 8, "p90": 11,
         "distribution": [{"bucket": "0–3", "count": 0}, {"bucket": "4–5", "count": 2},
                          {"bucket": "6–10", "count": 15}, {"bucket": "11–15", "count": 3},
                          {"bucket": "16–20", "count": 0}, {"bucket": "≥21", "count": 0}]}]}]})


@router.get("/reports/turnaround", response={200: TurnaroundOut, 404: ErrorOut, 422: ErrorOut},
            summary="Turnaround per path in working days")
def report_turnaround(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """Lines shipped to the dealer in the period: working days from the report date to the shipment."""
    f = _filters(request, q)
    return {"paths": [{"path": t.path, "lines": t.lines, "median": t.median, "p90": t.p90,
                       "distribution": [{"bucket": b, "count": n} for b, n in t.distribution]}
                      for t in selectors.turnaround(request.user, f)]}


# --- quality ------------------------------------------------------------------------------------


class ModelQualityOut(Schema):
    model: str
    reported: int
    inspected: int
    no_fault_found: int
    no_fault_found_rate: float | None = Field(description="Percent of inspected lines.")
    repeats: int = Field(description="Reports within 90 days of the same unit's previous report.")


class ReturnRateOut(Schema):
    model: str
    month: date = Field(description="First day of the month the units were shipped to dealers.")
    shipped: int
    returned: int
    rate: float | None = Field(description="Percent returned of shipped.")


class ComponentOut(Schema):
    model: str
    component: str
    count: int


class QualityOut(Schema):
    models: list[ModelQualityOut]
    return_rates: list[ReturnRateOut]
    components: list[ComponentOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "models": [{"model": "SN-S200", "reported": 40, "inspected": 36, "no_fault_found": 4,
                    "no_fault_found_rate": 11.1, "repeats": 2}],
        "return_rates": [{"model": "SN-S200", "month": "2025-10-01", "shipped": 500, "returned": 12, "rate": 2.4}],
        "components": [{"model": "SN-S200", "component": "主板", "count": 14}]}]})


@router.get("/reports/quality", response={200: QualityOut, 404: ErrorOut, 422: ErrorOut},
            summary="Return rates, failing components, no-fault-found and repeat returns")
def report_quality(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """`return_rates` are of units shipped to dealers in the period; the rest of lines reported in it."""
    f = _filters(request, q)
    return {
        "models": [{"model": m.model, "reported": m.reported, "inspected": m.inspected,
                    "no_fault_found": m.no_fault_found, "no_fault_found_rate": m.nff_rate, "repeats": m.repeats}
                   for m in selectors.quality_by_model(request.user, f)],
        "return_rates": selectors.return_rates(request.user, f),
        "components": selectors.failing_components(request.user, f),
    }


# --- dealers ------------------------------------------------------------------------------------


class ReportDealerOut(Schema):
    code: str
    name: str
    orders: int
    lines: int
    complete_first_time_rate: float | None = Field(description="Percent of forms no line of which was asked "
                                                               "for more information.")
    review_hours: float | None = Field(description="Average wait from submission to review, hours.")
    faulty_returns_on_time_rate: float | None
    quotes_answered: int
    quotes_declined: int
    complaints: int | None = Field(description="Complaint cases about the dealer (staff only; null for dealers).")


class DealersOut(Schema):
    dealers: list[ReportDealerOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{"dealers": [{
        "code": "GX-A01", "name": "南宁甲电脑", "orders": 12, "lines": 15, "complete_first_time_rate": 91.7,
        "review_hours": 6.5, "faulty_returns_on_time_rate": 100.0, "quotes_answered": 4, "quotes_declined": 1,
        "complaints": 0}]}]})


@router.get("/reports/dealers", response={200: DealersOut, 404: ErrorOut, 422: ErrorOut},
            summary="Dealer performance")
def report_dealers(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    f = _filters(request, q)
    return {"dealers": [{
        "code": d.code, "name": d.name, "orders": d.orders, "lines": d.lines,
        "complete_first_time_rate": d.complete_rate, "review_hours": d.review_hours,
        "faulty_returns_on_time_rate": d.return_rate, "quotes_answered": d.quotes_answered,
        "quotes_declined": d.quotes_declined, "complaints": d.complaints,
    } for d in selectors.dealers(request.user, f, now=timezone.now())]}


# --- cases --------------------------------------------------------------------------------------


class ChannelTypeOut(Schema):
    channel: str
    type: str
    count: int


class CasesOut(Schema):
    opened: int
    by_channel_type: list[ChannelTypeOut]
    first_response_met: int
    first_response_missed: int
    resolution_met: int
    resolution_missed: int
    resolved: int
    resolved_by_faq: int
    faq_share: float | None = Field(description="Percent of resolved cases resolved by the FAQ.")
    rated: int = Field(description="Satisfaction ratings given by reporters.")
    satisfaction: float | None = Field(description="Average rating, 1–5.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "opened": 120, "by_channel_type": [{"channel": "hotline", "type": "fault", "count": 64}],
        "first_response_met": 110, "first_response_missed": 6, "resolution_met": 95, "resolution_missed": 9,
        "resolved": 104, "resolved_by_faq": 31, "faq_share": 29.8,
        "rated": 40, "satisfaction": 4.6}]})


@router.get("/reports/cases", response={200: CasesOut, 404: ErrorOut, 422: ErrorOut},
            summary="Service cases: channels, types and targets met")
def report_cases(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """Cases opened in the period. A target is missed when answered late, or unanswered past due."""
    f = _filters(request, q)
    c = selectors.cases(request.user, f, now=timezone.now())
    return {"opened": c.opened, "by_channel_type": c.by_channel_type, "first_response_met": c.first_response_met,
            "first_response_missed": c.first_response_missed, "resolution_met": c.resolution_met,
            "resolution_missed": c.resolution_missed, "resolved": c.resolved, "resolved_by_faq": c.resolved_by_faq,
            "faq_share": c.faq_share, "rated": c.rated, "satisfaction": c.satisfaction}
