"""The managers' report pages (/reports/), their per-figure xlsx and the list exports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.access import role_required
from shouhou.core.roles import Role
from shouhou.core.sheets import xlsx_response
from shouhou.domain.errors import Invalid, NotFound
from shouhou.registry.models import Dealer, ProductModel
from shouhou.reports import figures, selectors
from shouhou.reports.params import read_filters
from shouhou.reports.xlsx import write_xlsx
from shouhou.rma.models import LinePath, LineState
from shouhou.rma.policy import work_calendar

READERS = (Role.MANAGER, Role.ADMIN)
TEMPLATES = {"dashboard": "reports/dashboard.html", "quality": "reports/quality.html",
             "dealers": "reports/dealers.html"}


def _page(request: HttpRequest, name: str) -> HttpResponse:
    context: dict[str, Any] = {
        "params": {k: request.GET.get(k, "").strip() for k in ("from", "to", "dealer", "model", "region")},
        "dealers": Dealer.objects.only("code", "name").order_by("code"),
        "models": ProductModel.objects.only("code").order_by("code"),
    }
    try:
        f = read_filters(request.user, request.GET)
    except (Invalid, NotFound) as exc:
        # The filter bar shows what is wrong (a bad period, an unknown dealer, model or region);
        # nothing is computed from it.
        return render(request, TEMPLATES[name], {**context, "error": str(exc)}, status=exc.status)
    page = figures.PAGES[name](request.user, f, now=timezone.now())
    context.update({"filters": f, "query": urlencode(f.params()), "page": page, **page.extra})
    context["params"].update({"from": f.period.first.isoformat(), "to": f.period.last.isoformat()})
    return render(request, TEMPLATES[name], context)


@role_required(*READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, "dashboard")


@role_required(*READERS)
def quality(request: HttpRequest) -> HttpResponse:
    return _page(request, "quality")


@role_required(*READERS)
def dealers(request: HttpRequest) -> HttpResponse:
    return _page(request, "dealers")


@role_required(*READERS)
def figure_export(request: HttpRequest, page: str, key: str) -> HttpResponseBase:
    """Exactly the numbers of one figure's table, with the page's filters."""
    if page not in figures.PAGES:
        raise NotFound(_("页面不存在。"))
    f = read_filters(request.user, request.GET)
    figure = figures.PAGES[page](request.user, f, now=timezone.now()).figure(key)
    if figure is None:
        raise NotFound(_("页面不存在。"))
    path = write_xlsx(sheet=figure.title, headers=figure.headers, rows=figure.rows)
    return xlsx_response(path, f"{page}-{key}-{f.period.first}-{f.period.last}.xlsx")


def line_rows(lines: Any, *, now: Any, overdue: bool) -> Iterator[list[Any]]:
    cal = work_calendar()
    states, paths = dict(LineState.choices), dict(LinePath.choices)
    for ln in lines.iterator(chunk_size=2000):
        due = ln.due_at or ln.dealer_due_at
        row = [ln.order.number or f"#{ln.order_id}", ln.order.dealer.code, ln.order.dealer.name, ln.serial,
               ln.unit.product_model.code if ln.unit else "", str(states.get(ln.state, ln.state)),
               str(paths.get(ln.path, "")) if ln.path else "",
               cal.local(ln.order.reported_at).strftime("%Y-%m-%d %H:%M") if ln.order.reported_at else ""]
        if overdue:
            who = _("我方") if ln.due_at else (_("代理商") if ln.dealer_due_at else "")
            row += [who, cal.local(due).strftime("%Y-%m-%d %H:%M") if due else ""]
        yield row


@role_required(*READERS)
def list_export(request: HttpRequest, name: str) -> HttpResponseBase:
    """A report's list (the overdue lines, the repeat returns), all rows, filters applied, streamed."""
    f = read_filters(request.user, request.GET)
    now = timezone.now()
    headers = [_("RMA 单号"), _("代理商代码"), _("代理商"), _("序列号"), _("型号"), _("状态"), _("处理方式"),
               _("报修时间")]
    if name == "overdue":
        lines = selectors.backlog_rows(request.user, f, now=now)
        headers += [_("待谁处理"), _("期限")]
    elif name == "repeats":
        lines = selectors.repeat_rows(request.user, f)
    else:
        raise NotFound(_("页面不存在。"))
    path = write_xlsx(sheet=name, headers=headers, rows=line_rows(lines, now=now, overdue=name == "overdue"))
    return xlsx_response(path, f"{name}-{f.period.first}-{f.period.last}.xlsx")
