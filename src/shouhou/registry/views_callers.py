"""The caller panel: who is calling, as a staff page and as the htmx fragment the hotline screen loads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shouhou.core.access import staff_required
from shouhou.domain.errors import Invalid
from shouhou.registry.callers import callers_for


@staff_required
@require_GET
def caller_panel(request: HttpRequest) -> HttpResponse:
    """`?phone=&serial=`: the match, or a hint when both are empty. With htmx only the match fragment."""
    phone = request.GET.get("phone", "").strip()[:100]
    serial = request.GET.get("serial", "").strip()[:100]
    context: dict[str, object] = {"phone": phone, "serial": serial, "match": None, "error": ""}
    if phone or serial:
        try:
            match = callers_for(request.user, phone=phone, serial=serial)
        except Invalid as exc:
            context["error"] = str(exc)
        else:
            claimed = {u.serial for c in match.customers for u in c.units}
            context.update(match=match, loose_units=[u for u in match.units if u.serial not in claimed])
    template = "registry/caller_panel.html#match" if request.htmx else "registry/caller_panel.html"  # type: ignore[attr-defined]
    return render(request, template, context)
