"""Shell pages: dashboard and health check (the audit log lives in views_staff)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shouhou.core.dashboard import panels_for
from shouhou.core.models import User
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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
