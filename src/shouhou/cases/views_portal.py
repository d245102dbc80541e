"""The dealer portal's cases: a dealer sees its own dealer's cases (never a complaint about it)
and answers those forwarded to it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouhou.cases.models import Case
from shouhou.cases.policy import work_calendar
from shouhou.cases.selectors import case_get_for, case_search
from shouhou.cases.views import PAGE_SIZE, apply_event, attachment_response, case_context
from shouhou.core.access import role_required
from shouhou.core.roles import Role
from shouhou.core.sheets import xlsx_response
from shouhou.reports.xlsx import write_xlsx


def _cases(request: HttpRequest) -> tuple[QuerySet[Case], dict[str, str]]:
    """The dealer's cases for the page's filters: `case_search` scopes them to the user's dealer."""
    params = {k: request.GET.get(k, "").strip() for k in ("status", "q") if request.GET.get(k, "").strip()}
    return case_search(request.user, status=params.get("status", ""), q=params.get("q", ""),
                       now=timezone.now()), params


@role_required(Role.DEALER)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    qs, params = _cases(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/case_list.html", {"page": page, "status": params.get("status", ""),
                                                     "export_query": urlencode(params)})


@role_required(Role.DEALER)
@require_GET
def case_export(request: HttpRequest) -> HttpResponseBase:
    """The dealer's filtered list, all pages, as xlsx: the page's columns, formula-safe."""
    qs, _params = _cases(request)
    cal = work_calendar()
    headers = [_("案例号"), _("主题"), _("序列号"), _("状态"), _("创建时间")]
    rows = ([c.number, c.subject, c.serial, c.get_status_display(), cal.local(c.opened_at).strftime("%Y-%m-%d %H:%M")]
            for c in qs.iterator(chunk_size=2000))
    path = write_xlsx(sheet=_("服务案例"), headers=headers, rows=rows)
    return xlsx_response(path, f"cases-{cal.local(timezone.now()):%Y%m%d-%H%M}.xlsx")


@role_required(Role.DEALER)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    return render(request, "portal/case_detail.html", case_context(request, case, portal=True))


@role_required(Role.DEALER)
@require_POST
def case_event(request: HttpRequest, pk: int, event: str) -> HttpResponse:
    return apply_event(request, pk, event, portal=True)


@role_required(Role.DEALER)
@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    return attachment_response(request, pk, attachment_id)
