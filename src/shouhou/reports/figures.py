"""Each figure of the report pages as one table and the chart drawn from exactly its rows.

A `Figure` is what the page shows (a chart beside its table), what the xlsx export writes (the
table, nothing else) and what a click on a bar opens (`links`, the filtered list behind each
bar). The pages, the exports and the charts therefore cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from shouhou.cases.models import CaseChannel, CaseType
from shouhou.domain.reports import Step
from shouhou.reports import selectors
from shouhou.reports.selectors import Filters
from shouhou.rma.models import LinePath, LineState


def step_labels() -> dict[str, str]:
    return {
        Step.REVIEW: _("审核服务单"),
        Step.SHIP_ADVANCE: _("提前换货发出新机"),
        Step.CONTACT: _("签收后检测/联系"),
        Step.SHIP_REPLACEMENT: _("换货发出"),
        Step.SHIP_REPAIR: _("维修后发出"),
        Step.FAULTY_RETURN: _("代理商寄回故障件"),
    }


def _label(choices: Any, value: str | None, empty: str = "—") -> str:
    if not value:
        return empty
    return str(dict(choices).get(value, value))


@dataclass
class Figure:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None  # categories, series [{name, data, stack?}], links, kind, unit
    note: str = ""

    @property
    def chart_id(self) -> str:
        return f"chart-{self.key}"

    def chart_json(self) -> dict[str, Any]:
        return {"title": self.title, **(self.chart or {})}


@dataclass
class Page:
    figures: list[Figure]
    extra: dict[str, Any] = field(default_factory=dict)

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


def _queue(f: Filters, *, by: str | None = "", **params: str) -> str:
    """The service-order queue behind a bar: the report's dealer, model and region, and its period
    counted BY the same date as the figure ("" report date, "shipped", "due"; None: the figure is
    "now", e.g. the backlog, and has no period)."""
    query = {k: v for k, v in (("dealer", f.dealer), ("model", f.model), ("region", f.region)) if v}
    if by is not None:
        query.update({"from": f.period.first.isoformat(), "to": f.period.last.isoformat()})
        if by:
            query["by"] = by
    query.update(params)
    return reverse("rma_queue") + "?" + urlencode(query)


def _case_list(f: Filters, **params: str) -> str | None:
    """The staff case list behind a case bar: the report's period (by opening date, as the case
    figures count), dealer, model and region, and PARAMS; None while the cases pages do not exist."""
    try:
        return reverse("case_list") + "?" + urlencode({**f.params(), **params})
    except NoReverseMatch:
        return None


def _rate(value: float | None) -> float | str:
    return value if value is not None else "—"


# --- the manager dashboard ----------------------------------------------------------------------


def dashboard(user: Any, f: Filters, *, now: datetime) -> Page:
    labels = step_labels()
    figures: list[Figure] = []

    backlog = selectors.backlog(user, f, now=now)
    states = [s for s, _l in LineState.choices if any(r["state"] == s for r in backlog.by_state_path)]
    paths = sorted({r["path"] or "" for r in backlog.by_state_path})
    counts = {(r["state"], r["path"] or ""): r["count"] for r in backlog.by_state_path}
    figures.append(Figure(
        "backlog", _("未完成的设备：按状态和处理方式"),
        [_("状态"), _("处理方式"), _("数量")],
        [[_label(LineState.choices, r["state"]), _label(LinePath.choices, r["path"], _("未定")), r["count"]]
         for r in backlog.by_state_path],
        {"kind": "bar", "stacked": True, "categories": [_label(LineState.choices, s) for s in states],
         "series": [{"name": _label(LinePath.choices, p, _("未定")), "data": [counts.get((s, p), 0) for s in states]}
                    for p in paths],
         "links": [[_queue(f, by=None, state=s, **({"path": p} if p else {})) for s in states] for p in paths]},
    ))

    tallies, weeks, months = selectors.deadlines_overview(user, f, now=now)
    figures.append(Figure(
        "deadlines", _("期限达成：按环节"),
        [_("环节"), _("按时"), _("逾期完成"), _("超期未完成"), _("按时率 %")],
        [[labels[t.step], t.met, t.late, t.open_overdue, _rate(t.rate)] for t in tallies],
        {"kind": "bar", "stacked": True, "categories": [labels[t.step] for t in tallies],
         "series": [{"name": _("按时"), "data": [t.met for t in tallies], "color": "#2f9e44"},
                    {"name": _("逾期完成"), "data": [t.late for t in tallies], "color": "#f59f00"},
                    {"name": _("超期未完成"), "data": [t.open_overdue for t in tallies], "color": "#e03131"}],
         "links": [[None] * len(tallies), [None] * len(tallies),
                   [_queue(f, by="due", overdue="dealer" if t.step is Step.FAULTY_RETURN else "vendor")
                    for t in tallies]]},
    ))
    for unit, title, fmt, buckets in (("week", _("期限按时率：按周"), "%m-%d", weeks),
                                      ("month", _("期限按时率：按月"), "%Y-%m", months)):
        rows = [[b.start.strftime(fmt if unit == "month" else "%Y-%m-%d"), labels[t.step], t.met, t.late,
                 t.open_overdue, _rate(t.rate)] for b in buckets for t in b.steps if t.total]
        steps_seen = [s for s in Step if any(t.step is s and t.total for b in buckets for t in b.steps)]
        figures.append(Figure(
            f"deadlines_{unit}", title,
            [_("周（周一）") if unit == "week" else _("月份"), _("环节"), _("按时"), _("逾期完成"), _("超期未完成"),
             _("按时率 %")], rows,
            {"kind": "line", "unit": "%", "categories": [b.start.strftime(fmt) for b in buckets],
             "series": [{"name": labels[s], "data": [next((t.rate for t in b.steps if t.step is s), None)
                                                     for b in buckets]} for s in steps_seen]},
        ))

    turnaround = selectors.turnaround(user, f)
    buckets = [b for b, _n in turnaround[0].distribution] if turnaround else []
    figures.append(Figure(
        "turnaround", _("周转时间（报修至发货，工作日）"),
        [_("处理方式"), _("设备数"), _("中位数"), _("P90"), *[_("%(range)s 天") % {"range": b} for b in buckets]],
        [[_label(LinePath.choices, t.path), t.lines, t.median, t.p90, *[n for _b, n in t.distribution]]
         for t in turnaround],
        {"kind": "bar", "categories": [_("%(range)s 天") % {"range": b} for b in buckets],
         "series": [{"name": _label(LinePath.choices, t.path), "data": [n for _b, n in t.distribution]}
                    for t in turnaround],
         "links": [[_queue(f, by="shipped", path=t.path, state="all")] * len(buckets) for t in turnaround]},
    ))

    cases = selectors.cases(user, f, now=now)
    channels = [c for c, _l in CaseChannel.choices if any(r["channel"] == c for r in cases.by_channel_type)]
    types = [c for c, _l in CaseType.choices if any(r["type"] == c for r in cases.by_channel_type)]
    case_counts = {(r["channel"], r["type"]): r["count"] for r in cases.by_channel_type}
    figures.append(Figure(
        "cases", _("服务案例：按渠道和类型"),
        [_("渠道"), _("类型"), _("数量")],
        [[_label(CaseChannel.choices, r["channel"]), _label(CaseType.choices, r["type"]), r["count"]]
         for r in cases.by_channel_type],
        {"kind": "bar", "stacked": True, "categories": [_label(CaseChannel.choices, c) for c in channels],
         "series": [{"name": _label(CaseType.choices, t), "data": [case_counts.get((c, t), 0) for c in channels]}
                    for t in types],
         "links": [[_case_list(f, channel=c, type=t, status="all") for c in channels] for t in types]},
    ))
    targets = [(_("首次响应"), cases.first_response_met, cases.first_response_missed, cases.first_response_rate,
                "first_response"),
               (_("解决"), cases.resolution_met, cases.resolution_missed, cases.resolution_rate, "resolution")]
    figures.append(Figure(
        "case_targets", _("服务案例：目标达成"),
        [_("目标"), _("按时"), _("超时"), _("按时率 %")],
        [[label, met, missed, _rate(rate)] for label, met, missed, rate, _k in targets],
        {"kind": "bar", "stacked": True, "categories": [label for label, *_rest in targets],
         "series": [{"name": _("按时"), "data": [met for _l, met, *_rest in targets], "color": "#2f9e44"},
                    {"name": _("超时"), "data": [missed for _l, _m, missed, *_rest in targets], "color": "#e03131"}],
         "links": [[_case_list(f, target=f"{key}_met", status="all") for *_rest, key in targets],
                   [_case_list(f, target=f"{key}_missed", status="all") for *_rest, key in targets]]},
    ))
    return Page(figures, {"backlog": backlog, "charges": selectors.charges(user, f), "cases": cases})


# --- quality ------------------------------------------------------------------------------------


def quality(user: Any, f: Filters, *, now: datetime) -> Page:
    rates = selectors.return_rates(user, f)
    months = sorted({r["month"] for r in rates})
    models = sorted({r["model"] for r in rates})
    by = {(r["model"], r["month"]): r["rate"] for r in rates}
    figures = [Figure(
        "return_rates", _("返修率：按型号和发货月份"),
        [_("型号"), _("发货月份"), _("发货数"), _("返修数"), _("返修率 %")],
        [[r["model"], r["month"].strftime("%Y-%m"), r["shipped"], r["returned"], _rate(r["rate"])] for r in rates],
        {"kind": "line", "unit": "%", "categories": [m.strftime("%Y-%m") for m in months],
         "series": [{"name": m, "data": [by.get((m, month)) for month in months]} for m in models]},
    )]
    components = selectors.failing_components(user, f)
    names = sorted({c["component"] for c in components})
    models_c = sorted({c["model"] for c in components})
    cc = {(c["model"], c["component"]): c["count"] for c in components}
    figures.append(Figure(
        "components", _("故障部件：按型号"), [_("型号"), _("部件"), _("次数")],
        [[c["model"], c["component"], c["count"]] for c in components],
        {"kind": "bar", "stacked": True, "categories": names,
         "series": [{"name": m, "data": [cc.get((m, n), 0) for n in names]} for m in models_c],
         "links": [[_queue(f, model=m, state="all")] * len(names) for m in models_c]},
    ))
    per_model = selectors.quality_by_model(user, f)
    figures.append(Figure(
        "models", _("未检出故障与重复返修：按型号"),
        [_("型号"), _("报修设备"), _("已检测"), _("未检出故障"), _("未检出故障率 %"), _("90 天内重复返修")],
        [[m.model, m.reported, m.inspected, m.no_fault_found, _rate(m.nff_rate), m.repeats] for m in per_model],
        {"kind": "bar", "categories": [m.model for m in per_model],
         "series": [{"name": _("未检出故障"), "data": [m.no_fault_found for m in per_model]},
                    {"name": _("90 天内重复返修"), "data": [m.repeats for m in per_model]}],
         "links": [[_queue(f, model=m.model, path="no_fault_found", state="all") for m in per_model],
                   [None] * len(per_model)]},
    ))
    return Page(figures)


# --- dealers ------------------------------------------------------------------------------------


def dealers(user: Any, f: Filters, *, now: datetime) -> Page:
    rows = selectors.dealers(user, f, now=now)
    staff = bool(user.is_vendor_staff)
    headers = [_("代码"), _("代理商"), _("服务单"), _("设备"), _("一次提交完整率 %"), _("平均审核等待（小时）"),
               _("故障件按时寄回率 %"), _("已答复报价"), _("拒绝报价")]
    if staff:
        headers.append(_("被投诉"))
    table = []
    for d in rows:
        row = [d.code, d.name, d.orders, d.lines, _rate(d.complete_rate), _rate(d.review_hours),
               _rate(d.return_rate), d.quotes_answered, d.quotes_declined]
        if staff:
            row.append(d.complaints)
        table.append(row)
    figure = Figure(
        "dealers", _("代理商表现"), headers, table,
        {"kind": "bar", "categories": [d.name for d in rows],
         "series": [{"name": _("设备"), "data": [d.lines for d in rows]}],
         "links": [[_queue(f, dealer=d.code, state="all") for d in rows]]},
    )
    return Page([figure])


PAGES: dict[str, Callable[..., Page]] = {"dashboard": dashboard, "quality": quality, "dealers": dealers}
