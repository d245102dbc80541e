"""The dealer portal (代理商门户): the dealer's orders and what it must do next, the service form
(web or xlsx), order pages with timeline and documents, notifications.

Dealer users only; everything goes through the dealer scoping layer, so another dealer's order
is "not found", exactly like a missing one.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhou.core.access import role_required
from shouhou.core.roles import Role
from shouhou.core.scoping import scoped
from shouhou.notify import selectors as notify_selectors
from shouhou.notify import views as notify_views
from shouhou.rma import selectors_ui, views
from shouhou.rma.models import OrderLine, ServiceOrder
from shouhou.rma.policy import work_calendar
from shouhou.rma.selectors import order_get_for

dealer_required = role_required(Role.DEALER)
PAGE_SIZE = 30


@dealer_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dealer's orders, newest first, and the lines waiting for the dealer's move."""
    user = request.user
    now, cal = timezone.now(), work_calendar()
    orders = scoped(user, ServiceOrder).prefetch_related("lines").order_by("-created_at", "-id")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    todo_lines = list(scoped(user, OrderLine).filter(state__in=selectors_ui.DEALER_MOVE_STATES)
                      .select_related("order").order_by(*selectors_ui.QUEUE_SORT))
    todo = selectors_ui.line_rows(todo_lines, role="dealer", now=now, cal=cal)
    notices = notify_selectors.inbox_rows(list(notify_selectors.inbox_for(user).select_related("event")[:5]))
    return render(request, "portal/home.html", {"page": page, "todo": todo, "notices": notices})


@dealer_required
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    # "Submit the form" in the mail about an unannounced parcel carries its serial in.
    serial = request.GET.get("serial", "").strip()[:64]
    return views.order_form_page(request, dealer=request.user.dealer, draft=None, portal=True,  # type: ignore[union-attr]
                                 case_number=request.GET.get("case", "").strip()[:32],
                                 line={"serial": serial} if serial else None)


@dealer_required
@require_GET
def order_line_row(request: HttpRequest) -> HttpResponse:
    return views.line_row(request)


@dealer_required
@require_http_methods(["GET", "POST"])
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = views.draft_for(request.user, pk)
    return views.order_form_page(request, dealer=draft.dealer, draft=draft, portal=True)


@dealer_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_get_for(request.user, pk)
    return render(request, "portal/order_detail.html", views.order_context(request, order, portal=True))


@dealer_required
@require_POST
def line_event(request: HttpRequest, pk: int, line_id: int, event: str) -> HttpResponse:
    return views.apply_event(request, pk, line_id, event, portal=True)


@dealer_required
@require_GET
def order_document(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    return views.document_response(request, pk, kind)


@dealer_required
@require_GET
def line_sheet(request: HttpRequest, pk: int, line_id: int, version: int) -> HttpResponse:
    return views.sheet_response(request, pk, line_id, version)


@dealer_required
@require_GET
def line_topology(request: HttpRequest, pk: int, line_id: int) -> HttpResponseBase:
    return views.line_file_response(request, pk, line_id, None)


@dealer_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The dealer's inbox (shouhou.notify), rendered in the dealer's language."""
    return notify_views.inbox_page(request, template="portal/notifications.html")


@dealer_required
@require_GET
def order_template(request: HttpRequest) -> HttpResponse:
    return views.template_response(request.user.dealer)  # type: ignore[union-attr]


@dealer_required
@require_http_methods(["GET", "POST"])
def order_upload(request: HttpRequest) -> HttpResponse:
    return views.upload_page(request, dealer=request.user.dealer, portal=True)  # type: ignore[union-attr]
