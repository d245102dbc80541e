"""The dealer portal's cases: a dealer sees its own dealer's cases (never a complaint about it)
and answers those forwarded to it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shouhou.cases.selectors import case_get_for, case_search
from shouhou.cases.views import PAGE_SIZE, apply_event, attachment_response, case_context
from shouhou.core.access import role_required
from shouhou.core.roles import Role


@role_required(Role.DEALER)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()
    qs = case_search(request.user, status=status, q=request.GET.get("q", ""), now=timezone.now())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/case_list.html", {"page": page, "status": status})


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
