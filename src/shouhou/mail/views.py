"""Staff pages of inbound mail: the inbound log (what each message became) and one message."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shouhou.core.access import staff_required
from shouhou.core.http import AuthenticatedHttpRequest
from shouhou.domain.errors import ShouhouError
from shouhou.mail import selectors, services
from shouhou.mail.models import InboundStatus


@staff_required
def inbound_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip()
    if status not in InboundStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.inbound_list(request.user, status=status, q=q), 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "q": q, "statuses": InboundStatus.choices}
    if request.htmx:
        return render(request, "mail/inbound_log.html#rows", context)
    return render(request, "mail/inbound_log.html", context)


@staff_required
def inbound_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = selectors.inbound_get_for(request.user, pk)
    return render(request, "mail/inbound_detail.html", {"m": message, "error": None})


@require_POST
@staff_required
def inbound_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Assign an open message to a service order by number, or close it with a note."""
    message = selectors.inbound_get_for(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "assign":
            services.inbound_assign(message=message, order_number=request.POST.get("order", ""), actor=request.user)
        elif action == "handled":
            services.inbound_mark_handled(message=message, actor=request.user, note=request.POST.get("note", ""))
        else:
            return HttpResponse(status=400)
    except ShouhouError as exc:
        message.refresh_from_db()
        return render(request, "mail/inbound_detail.html", {"m": message, "error": str(exc)}, status=422)
    return redirect("mail_inbound_detail", pk=message.pk)
