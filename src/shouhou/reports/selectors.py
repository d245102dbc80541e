"""The managers' figures, read as aggregate SQL (GROUP BY) through the dealer-scoping layer.

Every function takes the user first: `scoped(user, …)` restricts the rows, so a dealer's user
gets its own figures only, and a staff member everyone's. Each function runs a fixed, small
number of queries whatever the data size; the few rules over the grouped rows (which record is
which step, working-day turnaround, quantiles) live in `shouhou.domain.reports`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.translation import gettext as _

from shouhou.cases.models import Case, CaseRating, CaseType, ResolutionCategory
from shouhou.cases.selectors import report_q, target_q
from shouhou.core.scoping import scoped
from shouhou.domain import reports
from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.errors import NotFound
from shouhou.domain.regions import code_prefix
from shouhou.domain.regions import region as region_lookup
from shouhou.domain.reports import Period, StepTally
from shouhou.registry.models import Dealer, ProductModel, Unit
from shouhou.rma.models import (
    DRAFT,
    OPEN_STATES,
    Charge,
    DeadlineRecord,
    OrderLine,
    Quote,
    QuoteStatus,
    Shipment,
    ShipmentDirection,
)
from shouhou.rma.policy import work_calendar

OVERDUE_ROWS = 50


@dataclass(frozen=True)
class Filters:
    """What a report covers: a period of local dates and optional dealer, model and region codes."""

    period: Period
    dealer: str = ""
    model: str = ""
    region: str = ""

    def params(self) -> dict[str, str]:
        """These filters as query parameters (for links and exports)."""
        out = {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        out.update({k: v for k, v in (("dealer", self.dealer), ("model", self.model), ("region", self.region)) if v})
        return out


def filters_for(user: Any, *, first: object, last: object, dealer: str = "", model: str = "", region: str = "",
                today: date) -> Filters:
    """Parse and check the filters; raises Invalid (bad period) or NotFound (a dealer, model or
    region that does not exist or, for a dealer's user, another dealer)."""
    period = reports.period(first, last, today=today)
    dealer, model, region = (dealer or "").strip(), (model or "").strip(), (region or "").strip()
    if dealer and not scoped(user, Dealer).filter(code=dealer).exists():
        raise NotFound(_("没有找到代理商 %(code)s。") % {"code": dealer}, field="dealer")
    if model and not ProductModel.objects.filter(code=model).exists():
        raise NotFound(_("没有找到产品型号 %(code)s。") % {"code": model}, field="model")
    if region:
        try:
            region_lookup(region)
        except NotFound:
            raise NotFound(_("没有找到地区 %(code)s。") % {"code": region}, field="region") from None
    return Filters(period, dealer, model, region)


def _bounds(period: Period, cal: WorkCalendar) -> tuple[datetime, datetime]:
    return (datetime.combine(period.first, time.min, cal.tz), datetime.combine(period.end, time.min, cal.tz))


def _line_filter(f: Filters, prefix: str = "") -> Q:
    """The dealer/model/region filters on a line, reached from another model through PREFIX."""
    q = Q()
    if f.dealer:
        q &= Q(**{f"{prefix}order__dealer__code": f.dealer})
    if f.model:
        q &= Q(**{f"{prefix}unit__product_model__code": f.model})
    if f.region:
        q &= Q(**{f"{prefix}order__dealer__region_code__startswith": code_prefix(f.region)})
    return q


def lines(user: Any, f: Filters) -> QuerySet[OrderLine]:
    """Submitted lines the user may see, with the dealer/model/region filters (no period)."""
    return scoped(user, OrderLine).exclude(state=DRAFT).filter(_line_filter(f))


# --- deadlines ----------------------------------------------------------------------------------


def _deadlines(user: Any, f: Filters, cal: WorkCalendar) -> QuerySet[DeadlineRecord]:
    """Deadline records that fell due in the period."""
    start, end = _bounds(f.period, cal)
    return scoped(user, DeadlineRecord).filter(_line_filter(f, "line__"), due_at__gte=start, due_at__lt=end)


def _tally(now: datetime) -> dict[str, Count]:
    return {
        "met": Count("pk", filter=Q(late=False)),
        "late": Count("pk", filter=Q(late=True)),
        "open_overdue": Count("pk", filter=Q(met_at__isnull=True, due_at__lt=now)),
    }


def deadlines_report(user: Any, f: Filters, *, now: datetime) -> list[StepTally]:
    """Deadlines met, late and still open past due, per step, of the deadlines due in the period. One query."""
    rows = (_deadlines(user, f, work_calendar()).values("kind", "line__path").annotate(**_tally(now))
            .order_by())
    return reports.tally_steps((r["kind"], r["line__path"], r["met"], r["late"], r["open_overdue"]) for r in rows)


@dataclass(frozen=True)
class Bucket:
    start: date
    steps: list[StepTally]


def _deadline_days(user: Any, f: Filters, *, now: datetime) -> list[tuple[date, str, str | None, int, int, int]]:
    """Deadlines due in the period, grouped by local due date, kind and path (at most days × kinds ×
    paths rows, whatever the number of records). One query."""
    cal = work_calendar()
    rows = (_deadlines(user, f, cal).annotate(day=TruncDate("due_at", tzinfo=cal.tz))
            .values("day", "kind", "line__path").annotate(**_tally(now)).order_by())
    return [(r["day"], r["kind"], r["line__path"], r["met"], r["late"], r["open_overdue"]) for r in rows]


def deadlines_by(user: Any, f: Filters, *, now: datetime, unit: str) -> list[Bucket]:
    """`deadlines_report` per week (UNIT "week", labelled by its Monday) or month ("month") of the
    due date. One query."""
    bucket = reports.week_start if unit == "week" else reports.month_start
    return [Bucket(start, steps) for start, steps in reports.tally_by(_deadline_days(user, f, now=now), bucket)]


def deadlines_overview(user: Any, f: Filters, *,
                       now: datetime) -> tuple[list[StepTally], list[Bucket], list[Bucket]]:
    """The period's tallies per step, per week and per month, from one query (the dashboard)."""
    days = _deadline_days(user, f, now=now)
    total = reports.tally_steps((kind, path, met, late, late_open) for _d, kind, path, met, late, late_open in days)
    weeks = [Bucket(s, t) for s, t in reports.tally_by(days, reports.week_start)]
    months = [Bucket(s, t) for s, t in reports.tally_by(days, reports.month_start)]
    return total, weeks, months


# --- backlog ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    by_state_path: list[dict[str, Any]]  # {"state", "path", "count"}
    open: int
    overdue_vendor: int
    overdue_dealer: int
    awaiting_return: int
    awaiting_return_overdue: int
    overdue: list[OrderLine] = field(default_factory=list)


def backlog(user: Any, f: Filters, *, now: datetime) -> Backlog:
    """Open lines now by state and path; the overdue lines with who owes the next move (the
    OVERDUE_ROWS most overdue); advance replacements waiting for the faulty unit. Three queries."""
    open_lines = lines(user, f).filter(state__in=OPEN_STATES)
    by = list(open_lines.values("state", "path").annotate(count=Count("pk")).order_by("state", "path"))
    totals = open_lines.aggregate(
        open=Count("pk"), overdue_vendor=Count("pk", filter=Q(due_at__lt=now)),
        overdue_dealer=Count("pk", filter=Q(dealer_due_at__lt=now)),
        awaiting_return=Count("pk", filter=Q(state="awaiting_return")),
        awaiting_return_overdue=Count("pk", filter=Q(state="awaiting_return", dealer_due_at__lt=now)),
    )
    overdue = list(open_lines.filter(Q(due_at__lt=now) | Q(dealer_due_at__lt=now))
                   .select_related("order__dealer", "unit__product_model")
                   .order_by(Coalesce("due_at", "dealer_due_at"), "id")[:OVERDUE_ROWS])
    return Backlog(by, overdue=overdue, **totals)


def backlog_rows(user: Any, f: Filters, *, now: datetime) -> QuerySet[OrderLine]:
    """Every overdue open line (for the export), most overdue first."""
    return (lines(user, f).filter(state__in=OPEN_STATES).filter(Q(due_at__lt=now) | Q(dealer_due_at__lt=now))
            .select_related("order__dealer", "unit__product_model").order_by(Coalesce("due_at", "dealer_due_at"), "id"))


# --- turnaround ---------------------------------------------------------------------------------


def turnaround(user: Any, f: Filters) -> list[reports.Turnaround]:
    """Working days from the report date to the shipment to the dealer, per path, of lines shipped
    in the period (a line ships to its dealer once). One query grouped by (path, report day, ship
    day); the domain counts working days per group."""
    cal = work_calendar()
    start, end = _bounds(f.period, cal)
    rows = (scoped(user, Shipment).filter(_line_filter(f, "line__"), direction=ShipmentDirection.TO_DEALER,
                                          shipped_at__gte=start, shipped_at__lt=end)
            .annotate(reported_on=TruncDate("line__order__reported_at", tzinfo=cal.tz),
                      shipped_on=TruncDate("shipped_at", tzinfo=cal.tz))
            .values("line__path", "reported_on", "shipped_on").annotate(n=Count("pk")).order_by())
    by_path: dict[str, list[tuple[date, date, int]]] = defaultdict(list)
    for r in rows:
        by_path[r["line__path"]].append((r["reported_on"], r["shipped_on"], r["n"]))
    return [reports.turnaround(path, reports.turnaround_histogram(pairs, cal))
            for path, pairs in sorted(by_path.items())]


# --- charges ------------------------------------------------------------------------------------


def charges(user: Any, f: Filters) -> dict[str, Any]:
    """Charges billed after the fact in the period: count, total, and what is not yet invoiced. One query."""
    start, end = _bounds(f.period, work_calendar())
    zero = Decimal("0.00")
    out = scoped(user, Charge).filter(_line_filter(f, "line__"), created_at__gte=start, created_at__lt=end).aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), zero), unbilled=Coalesce(Sum("amount", filter=Q(billed=False)),
                                                                                 zero))
    return out


# --- quality ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelQuality:
    model: str
    reported: int  # lines reported in the period
    inspected: int
    no_fault_found: int
    repeats: int  # reports within REPEAT_WINDOW_DAYS of the same unit's previous one

    @property
    def nff_rate(self) -> float | None:
        return reports.percent(self.no_fault_found, self.inspected)


def _reported(user: Any, f: Filters) -> QuerySet[OrderLine]:
    start, end = _bounds(f.period, work_calendar())
    return lines(user, f).filter(order__reported_at__gte=start, order__reported_at__lt=end)


def return_rates(user: Any, f: Filters) -> list[dict[str, Any]]:
    """Per model and ship month (units shipped to dealers in the period): shipped, returned (units
    with a service line since), and the rate in percent. One query."""
    units = scoped(user, Unit).filter(shipped_on__gte=f.period.first, shipped_on__lte=f.period.last)
    if f.dealer:
        units = units.filter(dealer__code=f.dealer)
    if f.model:
        units = units.filter(product_model__code=f.model)
    if f.region:
        units = units.filter(dealer__region_code__startswith=code_prefix(f.region))
    returned = OrderLine.objects.filter(unit=OuterRef("pk")).exclude(state=DRAFT)
    rows = (units.annotate(month=TruncMonth("shipped_on"), returned=Exists(returned))
            .values("product_model__code", "month")
            .annotate(shipped=Count("pk"), back=Count("pk", filter=Q(returned=True)))
            .order_by("product_model__code", "month"))
    return [{"model": r["product_model__code"], "month": r["month"], "shipped": r["shipped"], "returned": r["back"],
             "rate": reports.percent(r["back"], r["shipped"])} for r in rows]


def quality_by_model(user: Any, f: Filters) -> list[ModelQuality]:
    """Per model, of the lines reported in the period: inspected, no fault found, repeat returns. One query."""
    window = timedelta(days=reports.REPEAT_WINDOW_DAYS)
    earlier = OrderLine.objects.filter(
        unit=OuterRef("unit"), order__reported_at__lt=OuterRef("order__reported_at"),
        order__reported_at__gte=ExpressionWrapper(OuterRef("order__reported_at") - window,
                                                  output_field=DateTimeField()),
    ).exclude(state=DRAFT).exclude(pk=OuterRef("pk"))
    rows = (_reported(user, f).annotate(repeat=Exists(earlier)).values("unit__product_model__code")
            .annotate(reported=Count("pk"), inspected=Count("pk", filter=Q(fault_confirmed__isnull=False)),
                      nff=Count("pk", filter=Q(path="no_fault_found")), repeats=Count("pk", filter=Q(repeat=True)))
            .order_by("unit__product_model__code"))
    return [ModelQuality(r["unit__product_model__code"], r["reported"], r["inspected"], r["nff"], r["repeats"])
            for r in rows]


def failing_components(user: Any, f: Filters) -> list[dict[str, Any]]:
    """Per model and component, how many lines reported in the period had it found faulty. One query,
    grouped by the component list as stored; the few distinct lists are unfolded here."""
    rows = (_reported(user, f).filter(fault_confirmed=True).values("unit__product_model__code", "components")
            .annotate(n=Count("pk")).order_by())
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        for component in set(r["components"] or ()):
            counts[(r["unit__product_model__code"], str(component))] += r["n"]
    return [{"model": m, "component": c, "count": n}
            for (m, c), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))]


def repeat_rows(user: Any, f: Filters) -> QuerySet[OrderLine]:
    """The repeat returns of the period (lines whose unit was reported within the window before)."""
    window = timedelta(days=reports.REPEAT_WINDOW_DAYS)
    earlier = OrderLine.objects.filter(
        unit=OuterRef("unit"), order__reported_at__lt=OuterRef("order__reported_at"),
        order__reported_at__gte=ExpressionWrapper(OuterRef("order__reported_at") - window,
                                                  output_field=DateTimeField()),
    ).exclude(state=DRAFT)
    return (_reported(user, f).filter(Exists(earlier)).select_related("order__dealer", "unit__product_model")
            .order_by("-order__reported_at", "id"))


# --- dealers ------------------------------------------------------------------------------------


@dataclass
class DealerFigures:
    code: str
    name: str
    lines: int = 0
    orders: int = 0
    first_time_complete: int = 0
    review_hours: float | None = None
    returns_on_time: int = 0
    returns_due: int = 0
    quotes_answered: int = 0
    quotes_declined: int = 0
    complaints: int | None = None  # None: not shown (a dealer never sees complaints about itself)

    @property
    def complete_rate(self) -> float | None:
        return reports.percent(self.first_time_complete, self.orders)

    @property
    def return_rate(self) -> float | None:
        return reports.percent(self.returns_on_time, self.returns_due)

    @property
    def decline_rate(self) -> float | None:
        return reports.percent(self.quotes_declined, self.quotes_answered)


def dealers(user: Any, f: Filters, *, now: datetime) -> list[DealerFigures]:
    """Per dealer, over the period: volume (orders and lines submitted), forms complete at first
    submission (no line asked for more information), average review wait in hours, punctuality of
    faulty-unit returns, quotes declined, and, for staff, complaints. Five queries."""
    cal = work_calendar()
    start, end = _bounds(f.period, cal)
    submitted = lines(user, f).filter(order__submitted_at__gte=start, order__submitted_at__lt=end)
    # A review clock started after the submission means the dealer resubmitted: incomplete at first.
    resubmitted = DeadlineRecord.objects.filter(line__order=OuterRef("order"), kind="review",
                                                started_at__gt=OuterRef("order__submitted_at"))
    out: dict[str, DealerFigures] = {}

    def row(code: str, name: str) -> DealerFigures:
        return out.setdefault(code, DealerFigures(code, name))

    for r in (submitted.annotate(resubmitted=Exists(resubmitted))
              .values("order__dealer__code", "order__dealer__name")
              .annotate(lines=Count("pk"), orders=Count("order", distinct=True),
                        complete=Count("order", distinct=True, filter=Q(resubmitted=False))).order_by()):
        d = row(r["order__dealer__code"], r["order__dealer__name"])
        d.lines, d.orders, d.first_time_complete = r["lines"], r["orders"], r["complete"]
    deadlines = _deadlines(user, f, cal)
    wait = ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())
    for r in (deadlines.filter(kind="review", met_at__isnull=False)
              .values("line__order__dealer__code", "line__order__dealer__name")
              .annotate(wait=Avg(wait)).order_by()):
        row(r["line__order__dealer__code"], r["line__order__dealer__name"]).review_hours = (
            round(r["wait"].total_seconds() / 3600, 1) if r["wait"] is not None else None)
    for r in (deadlines.filter(kind="faulty_return").values("line__order__dealer__code", "line__order__dealer__name")
              .annotate(**_tally(now)).order_by()):
        d = row(r["line__order__dealer__code"], r["line__order__dealer__name"])
        d.returns_on_time, d.returns_due = r["met"], r["met"] + r["late"] + r["open_overdue"]
    for r in (scoped(user, Quote).filter(_line_filter(f, "line__"), answered_at__gte=start, answered_at__lt=end)
              .values("line__order__dealer__code", "line__order__dealer__name")
              .annotate(answered=Count("pk", filter=Q(status__in=[QuoteStatus.CONFIRMED, QuoteStatus.DECLINED])),
                        declined=Count("pk", filter=Q(status=QuoteStatus.DECLINED))).order_by()):
        d = row(r["line__order__dealer__code"], r["line__order__dealer__name"])
        d.quotes_answered, d.quotes_declined = r["answered"], r["declined"]
    if user.is_vendor_staff:
        complaints = Case.objects.filter(case_type=CaseType.COMPLAINT, about_dealer__isnull=False,
                                         opened_at__gte=start, opened_at__lt=end)
        if f.dealer:
            complaints = complaints.filter(about_dealer__code=f.dealer)
        if f.region:
            complaints = complaints.filter(about_dealer__region_code__startswith=code_prefix(f.region))
        for d in out.values():
            d.complaints = 0
        for r in complaints.values("about_dealer__code", "about_dealer__name").annotate(n=Count("pk")).order_by():
            row(r["about_dealer__code"], r["about_dealer__name"]).complaints = r["n"]
    return sorted(out.values(), key=lambda d: (-d.lines, d.code))


# --- cases --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFigures:
    by_channel_type: list[dict[str, Any]]  # {"channel", "type", "count"}
    opened: int
    first_response_met: int
    first_response_missed: int
    resolution_met: int
    resolution_missed: int
    resolved: int
    resolved_by_faq: int
    rated: int = 0  # satisfaction ratings given (1–5)
    satisfaction: float | None = None  # their average

    @property
    def first_response_rate(self) -> float | None:
        return reports.percent(self.first_response_met, self.first_response_met + self.first_response_missed)

    @property
    def resolution_rate(self) -> float | None:
        return reports.percent(self.resolution_met, self.resolution_met + self.resolution_missed)

    @property
    def faq_share(self) -> float | None:
        return reports.percent(self.resolved_by_faq, self.resolved)


def cases(user: Any, f: Filters, *, now: datetime) -> CaseFigures:
    """Cases opened in the period: by channel and type, first-response and resolution targets met
    (a target missed is answered late, or not answered and past due), share resolved by the FAQ,
    and the reporters' satisfaction (average score of the ratings given). Three queries."""
    qs = scoped(user, Case).filter(report_q(first=f.period.first, last=f.period.last, dealer=f.dealer,
                                            model=f.model, region=f.region, tz=work_calendar().tz))
    by = [{"channel": r["channel"], "type": r["case_type"], "count": r["n"]}
          for r in qs.values("channel", "case_type").annotate(n=Count("pk")).order_by("channel", "case_type")]
    t = qs.aggregate(
        opened=Count("pk"),
        fr_met=Count("pk", filter=target_q("first_response_met", now=now)),
        fr_missed=Count("pk", filter=target_q("first_response_missed", now=now)),
        res_met=Count("pk", filter=target_q("resolution_met", now=now)),
        res_missed=Count("pk", filter=target_q("resolution_missed", now=now)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        faq=Count("pk", filter=Q(resolved_at__isnull=False, resolution_category=ResolutionCategory.RESOLVED_BY_FAQ)),
    )
    ratings = scoped(user, CaseRating).filter(case__in=qs, score__isnull=False).aggregate(n=Count("pk"),
                                                                                        avg=Avg("score"))
    return CaseFigures(by, t["opened"], t["fr_met"], t["fr_missed"], t["res_met"], t["res_missed"], t["resolved"],
                       t["faq"], ratings["n"], round(ratings["avg"], 2) if ratings["avg"] is not None else None)
