"""Public pages for end users (no login): warranty check, find my dealer, one code per unit (一物一码).

They work without JavaScript on a phone, reveal no customer data, and are rate-limited per IP.
An unknown serial gets one fixed "not found" answer (404), whether or not a similar serial exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from shouhou.domain.errors import NotFound
from shouhou.domain.regions import cities, provinces
from shouhou.domain.regions import region as region_lookup
from shouhou.registry import selectors
from shouhou.registry.models import Dealer, Unit, normalize_serial
from shouhou.workdays import clock

View = Callable[..., HttpResponse]


def public_page(view: View) -> View:
    """GET only, rate-limited per IP: over the limit, a 429 page that says when to come back."""

    @require_GET
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from shouhou.registry.throttle import public_limited, retry_after

        wait = public_limited(request)
        if wait:
            response = render(request, "public/rate_limited.html", _base_context(), status=429)
            response["Retry-After"] = retry_after(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _base_context() -> dict[str, Any]:
    from shouhou.workdays.selectors import service_hours_text

    return {"hotline": settings.HOTLINE, "service_hours": service_hours_text()}


def _unit_context(unit: Unit) -> dict[str, Any]:
    today = clock.today()
    return {
        "unit": unit,
        "model": unit.product_model,
        "coverage": selectors.coverage_or_none(unit, today),
        "dealer": unit.dealer if unit.dealer and unit.dealer.active else None,
        "today": today,
    }


def _not_found(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "not_found": True}, status=404)


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """`/` for a visitor who is not signed in: the public services, service hours, staff sign-in."""
    return render(request, "public/landing.html", _base_context())


@public_page
def warranty_check(request: HttpRequest) -> HttpResponse:
    serial = normalize_serial(request.GET.get("serial", ""))[:64]
    context: dict[str, Any] = {**_base_context(), "serial": serial}
    if not serial:
        return render(request, "public/warranty.html", context)
    unit = selectors.unit_public_find(serial)
    if unit is None:
        return _not_found(request, "public/warranty.html", context)
    if request.GET.get("report"):
        # The landing's "在线报修": the fault report form lives on the unit's own page.
        return redirect(reverse("unit_public", args=[unit.serial]) + "#report-form")
    return render(request, "public/warranty.html", {**context, **_unit_context(unit)})


@public_page
def unit_public(request: HttpRequest, serial: str) -> HttpResponse:
    context: dict[str, Any] = {**_base_context(), "serial": normalize_serial(serial)[:64]}
    unit = selectors.unit_public_find(serial)
    if unit is None:
        return _not_found(request, "public/unit.html", context)
    return render(request, "public/unit.html", {**context, **_unit_context(unit)})


def _region_or_none(code: str) -> Any:
    try:
        return region_lookup(code) if code else None
    except NotFound:
        return None


@public_page
def dealer_find(request: HttpRequest) -> HttpResponse:
    serial = normalize_serial(request.GET.get("serial", ""))[:64]
    province = _region_or_none(request.GET.get("province", "").strip())
    city = _region_or_none(request.GET.get("city", "").strip())
    if province is not None and province.code != province.province_code:
        province = None
    if city is not None and (province is None or city.province_code != province.code):
        city = None
    context: dict[str, Any] = {
        **_base_context(),
        "serial": serial,
        "provinces": provinces(),
        "province": province,
        "cities": cities(province.code) if province else (),
        "city": city,
        "searched": bool(serial or province),
    }
    dealers: list[Dealer] = []
    if serial:
        unit = selectors.unit_public_find(serial)
        if unit is None:
            return _not_found(request, "public/find_dealer.html", context)
        context["unit"] = unit
        if unit.dealer is not None and unit.dealer.active:
            dealers.append(unit.dealer)
    if province is not None and not dealers:
        dealers = list(selectors.dealers_for_region((city or province).code))
    context["dealers"] = dealers
    return render(request, "public/find_dealer.html", context)
