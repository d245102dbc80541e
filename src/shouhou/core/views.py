"""Shell pages: dashboard, audit log, health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shouhou.core.access import role_required
from shouhou.core.dashboard import panels_for
from shouhou.core.models import AuditEvent, User
from shouhou.core.roles import Role
from shouhou.core.scoping import scoped
from shouhou.registry.models import Dealer


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    counts = {
        "dealers": scoped(user, Dealer).filter(active=True).count(),
        "users": User.objects.filter(is_active=True).count() if user.is_vendor_staff else None,
    }
    panels = panels_for(user, timezone.now())
    return render(request, "core/dashboard.html", {"counts": counts, "panels": panels})


@role_required(Role.MANAGER, Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    verb = request.GET.get("verb", "").strip()
    object_type = request.GET.get("type", "").strip()
    if verb:
        events = events.filter(verb__startswith=verb)
    if object_type:
        events = events.filter(object_type=object_type)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "verb": verb, "type": object_type, "types": sorted(set(types))},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001  (any database failure means "not healthy")
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
