"""Reads for the registry. Every query for dealer-visible data goes through the scoping layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from shouhou.core.scoping import get_for, scoped
from shouhou.domain.errors import NotFound
from shouhou.domain.regions import RegionLevel
from shouhou.domain.regions import cities as region_cities
from shouhou.domain.regions import region as region_lookup
from shouhou.registry.models import Dealer, DealerRegion, Unit, UnitStatus, normalize_serial

# The search filters of the unit list, the labels PDF, the xlsx export and the API list.
UNIT_FILTERS = ("q", "model", "dealer", "region", "status")


def region_codes(code: str) -> list[str]:
    """CODE and, for a province, its cities: a province filter matches units sold in its cities."""
    try:
        item = region_lookup(code)
    except NotFound:
        return [code]
    if item.level is RegionLevel.PROVINCE:
        return [code, *(city.code for city in region_cities(code))]
    return [code]


def unit_search(user: Any, params: Mapping[str, str]) -> QuerySet[Unit]:
    """Units USER may see matching the search filters in PARAMS, ordered by serial.

    Filters: ``q`` serial prefix (normalized), ``model`` product model code, ``dealer`` dealer
    code, ``region`` region code (a province matches its cities too), ``status`` unit status.
    Unknown values simply match nothing; empty values are ignored.
    """
    qs = scoped(user, Unit).select_related("product_model", "dealer", "customer")
    q = normalize_serial(params.get("q") or "")
    if q:
        qs = qs.filter(serial__startswith=q)
    model = (params.get("model") or "").strip()
    if model:
        qs = qs.filter(product_model__code=model)
    dealer = (params.get("dealer") or "").strip()
    if dealer:
        qs = qs.filter(dealer__code=dealer)
    region = (params.get("region") or "").strip()
    if region:
        qs = qs.filter(region_code__in=region_codes(region))
    status = (params.get("status") or "").strip()
    if status:
        qs = qs.filter(status=status if status in UnitStatus.values else "-")
    return qs.order_by("serial")


def unit_get(user: Any, serial: str) -> Unit:
    """The unit with SERIAL that USER may see; raises NotFound otherwise."""
    qs = scoped(user, Unit).select_related("product_model", "dealer", "customer", "replaces", "replaced_by")
    return get_for(user, qs, serial=normalize_serial(serial))


def unit_public_get(serial: str) -> Unit:
    """A unit by serial for the public pages (no login): model and dealer, nothing else loaded.

    Raises NotFound for an unknown serial; the message never hints at near matches.
    """
    from django.utils.translation import gettext as _

    unit = (
        Unit.objects.select_related("product_model", "dealer", "replaces")
        .filter(serial=normalize_serial(serial))
        .first()
    )
    if unit is None:
        raise NotFound(_("没有找到该序列号的设备，请核对后重新输入。"))
    return unit


def dealers_for_region(code: str) -> QuerySet[Dealer]:
    """Active dealers serving CODE: for a city, those serving the city or its province; for a
    province, those serving the province or any of its cities."""
    try:
        item = region_lookup(code)
    except NotFound:
        return Dealer.objects.none()
    codes = region_codes(code) if item.level is RegionLevel.PROVINCE else [code, item.province_code]
    dealer_ids = DealerRegion.objects.filter(region_code__in=codes).values("dealer_id")
    return Dealer.objects.filter(Q(pk__in=dealer_ids), active=True).order_by("code")
