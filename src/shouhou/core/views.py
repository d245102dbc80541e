"""Shell pages: dashboard (the public landing when signed out), health check, favicon.

The audit log lives in views_staff.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from shouhou.core.dashboard import panels_for
from shouhou.core.models import User
from shouhou.core.scoping import scoped
from shouhou.registry.models import Dealer
from shouhou.registry.views_public import landing


def dashboard(request: HttpRequest) -> HttpResponse:
    """Signed-in users' home; for anybody else the public landing (warranty, dealers, status)."""
    if not request.user.is_authenticated:
        return landing(request)
    user: User = request.user
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
    except Exception as exc:  # noqa: BLE001  (any database failure means "not healthy")
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> FileResponse:
    """Browsers ask for /favicon.ico whatever the pages link to; the SVG icon is linked from base.html."""
    path = finders.find("shouhou/favicon.ico")
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
