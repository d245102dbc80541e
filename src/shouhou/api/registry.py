"""Registry API: the public coverage lookup, and product models, dealers, units and customers.

Staff read and write everything; a dealer's token reads only its own dealer, units and customers
(another dealer's is 404, like a missing one) and may not write (403).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shouhou.api.paging import page_field
from shouhou.core.roles import Role
from shouhou.core.scoping import get_for, scoped
from shouhou.domain import coverage as cov
from shouhou.domain.errors import Forbidden, Invalid, NotFound, ShouhouError
from shouhou.registry import selectors, services
from shouhou.registry.callers import CallerMatch, callers_for
from shouhou.registry.models import Customer, Dealer, ProductModel, Unit, UnitStatus
from shouhou.registry.throttle import public_limited
from shouhou.workdays import clock

router = Router(tags=["registry"])
_JSON = "application/json; charset=utf-8"


class RateLimited(ShouhouError):
    status = 429
    code = "rate_limited"


# --- schemas --------------------------------------------------------------------------------
class DealerContactOut(Schema):
    code: str
    name: str
    phone: str


class CoverageOut(Schema):
    serial: str
    model: str
    coverage: str
    warranty_start: date
    replacement_end: date
    warranty_end: date
    days_left: int | None
    dealer: DealerContactOut | None


class ErrorOut(Schema):
    code: str
    detail: str


class ProductModelOut(Schema):
    code: str
    name: str
    category: str
    replacement_days: int
    warranty_months: int
    discontinued_on: date | None
    replacement_terms: str
    free_repair_scope: str
    active: bool


class ProductModelIn(Schema):
    code: str
    name: str
    category: str = ""
    replacement_days: int = Field(ge=0, le=cov.MAX_REPLACEMENT_DAYS)
    warranty_months: int = Field(ge=0, le=cov.MAX_WARRANTY_MONTHS)
    discontinued_on: date | None = None
    replacement_terms: str = ""
    free_repair_scope: str = ""
    active: bool = True


class ProductModelPatch(Schema):
    name: str | None = None
    category: str | None = None
    replacement_days: int | None = Field(default=None, ge=0, le=cov.MAX_REPLACEMENT_DAYS)
    warranty_months: int | None = Field(default=None, ge=0, le=cov.MAX_WARRANTY_MONTHS)
    discontinued_on: date | None = None
    replacement_terms: str | None = None
    free_repair_scope: str | None = None
    active: bool | None = None


class DealerOut(Schema):
    code: str
    name: str
    contact_name: str
    phone: str
    mobile: str
    email: str
    cc_emails: str
    address: str
    region_code: str
    regions: list[str]
    active: bool


class DealerIn(Schema):
    code: str
    name: str
    contact_name: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    cc_emails: str = ""
    address: str = ""
    region_code: str = ""
    regions: list[str] = []
    active: bool = True


class DealerPatch(Schema):
    name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    cc_emails: str | None = None
    address: str | None = None
    region_code: str | None = None
    regions: list[str] | None = None
    active: bool | None = None


class UnitOut(Schema):
    serial: str
    model: str
    status: str
    manufactured_on: date | None
    shipped_on: date | None
    sold_on: date | None
    dealer: str | None
    customer: int | None
    region_code: str
    replacement_days: int | None
    warranty_months: int | None
    replaces: str | None
    coverage: str | None


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[UnitOut]


class UnitFilters(Schema):
    q: str = ""
    model: str = ""
    dealer: str = ""
    region: str = ""
    status: str = ""
    made: str = ""
    # The upper bound keeps page × page_size a 64-bit offset (an overflow was a 500).
    page: int = page_field()
    page_size: int = Field(default=50, ge=1, le=500)


class UnitIn(Schema):
    serial: str
    model: str
    manufactured_on: date | None = None
    shipped_on: date | None = None
    sold_on: date | None = None
    dealer: str | None = None
    customer: int | None = None
    region_code: str = ""
    replacement_days: int | None = Field(default=None, ge=0, le=cov.MAX_REPLACEMENT_DAYS)
    warranty_months: int | None = Field(default=None, ge=0, le=cov.MAX_WARRANTY_MONTHS)
    status: UnitStatus = UnitStatus.IN_STOCK


class UnitPatch(Schema):
    model: str | None = None
    manufactured_on: date | None = None
    shipped_on: date | None = None
    sold_on: date | None = None
    dealer: str | None = None
    customer: int | None = None
    region_code: str | None = None
    replacement_days: int | None = Field(default=None, ge=0, le=cov.MAX_REPLACEMENT_DAYS)
    warranty_months: int | None = Field(default=None, ge=0, le=cov.MAX_WARRANTY_MONTHS)
    status: UnitStatus | None = None


class CustomerOut(Schema):
    id: int
    name: str
    contact_name: str
    phone: str
    region_code: str
    dealer: str | None


class CustomerIn(Schema):
    name: str
    contact_name: str = ""
    phone: str = ""
    region_code: str = ""
    dealer: str | None = None


class CustomerPatch(Schema):
    name: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    region_code: str | None = None
    dealer: str | None = None


class CallerDealerOut(Schema):
    code: str
    name: str
    contact: str
    phone: str


class CallerCustomerOut(Schema):
    id: int
    name: str
    phone: str
    dealer: str | None = Field(description="The customer's dealer code")


class CallersOut(Schema):
    dealers: list[CallerDealerOut]
    customers: list[CallerCustomerOut]
    units: list[str] = Field(description="Serials of the unit by serial and of the matched customers")
    open_cases: list[str]
    open_orders: list[int]

    model_config = {"json_schema_extra": {"examples": [{
        "dealers": [{"code": "GX-NN01", "name": "南宁网维科技", "contact": "黄志强", "phone": "0771-5561234"}],
        "customers": [{"id": 17, "name": "星际网咖（民族大道店）", "phone": "0771-5561234", "dealer": "GX-NN01"}],
        "units": ["SND2002025010001"],
        "open_cases": ["C2026-000123"],
        "open_orders": [42],
    }]}}


class CallerQuery(Schema):
    phone: str = Field(default="", description="Any written form: 0771-556 1234, (0771)5561234, +86 138 0013 8000")
    serial: str = Field(default="", description="A unit's serial (case and spaces ignored)")


class AddedOut(Schema):
    path: str
    value: Any


class ChangedOut(Schema):
    path: str
    old: Any
    new: Any


class ChangesOut(Schema):
    added: list[AddedOut]
    removed: list[AddedOut]
    changed: list[ChangedOut]


class SnapshotOut(Schema):
    id: int
    serial: str
    taken_at: datetime
    received_at: datetime
    source: str | None = Field(description="Username of the integration that pushed it")
    config: dict[str, Any]
    previous_taken_at: datetime | None
    changes: ChangesOut | None = Field(description="Since the previous snapshot; null for the first")


class SnapshotList(Schema):
    serial: str
    results: list[SnapshotOut]


_SNAPSHOT_EXAMPLE: dict[str, Any] = {
    "taken_at": "2026-02-10T09:30:00+08:00",
    "config": {"cpu": {"model": "Xeon E5-2680 v4", "cores": 14}, "memory_gb": 128,
               "disks": [{"slot": 0, "model": "ST4000NM"}, {"slot": 1, "model": "ST8000NM"}],
               "nics": ["X540-T2"], "bios": "2.1.7", "raid": {"level": 10}},
}


class SnapshotIn(Schema):
    taken_at: datetime | None = Field(default=None, description="When the platform read it (default now)")
    config: Any = Field(description="The platform's hardware configuration: a JSON object")

    model_config = {"json_schema_extra": {"examples": [_SNAPSHOT_EXAMPLE]}}


# --- helpers --------------------------------------------------------------------------------
def _require_staff(request: HttpRequest) -> None:
    """Writes: dealers (and anyone else who is not vendor staff) get 403."""
    if not getattr(request.user, "is_vendor_staff", False):
        raise Forbidden(_("只有厂家员工可以修改档案。"))


def _staff_reads(request: HttpRequest) -> None:
    """Staff-only reads (product models): others get 404, as the staff pages do."""
    if not getattr(request.user, "is_vendor_staff", False):
        raise NotFound(_("没有找到该记录。"))


def _model_by_code(code: str) -> ProductModel:
    found = ProductModel.objects.filter(code=code).first()
    if found is None:
        raise Invalid(_("产品型号 %(code)s 不存在。") % {"code": code}, field="model")
    return found


def _dealer_by_code(code: str | None) -> Dealer | None:
    if not code:
        return None
    found = Dealer.objects.filter(code=code).first()
    if found is None:
        raise Invalid(_("代理商 %(code)s 不存在。") % {"code": code}, field="dealer")
    return found


def _customer_by_id(pk: int | None) -> Customer | None:
    if pk is None:
        return None
    found = Customer.objects.select_related("dealer").filter(pk=pk).first()
    if found is None:
        raise Invalid(_("终端客户 %(id)s 不存在。") % {"id": pk}, field="customer")
    return found


def _dealer_out(dealer: Dealer) -> dict[str, Any]:
    data = {f: getattr(dealer, f) for f in ("code", "name", "contact_name", "phone", "mobile", "email",
                                            "cc_emails", "address", "region_code", "active")}
    data["regions"] = sorted(r.region_code for r in dealer.regions.all())
    return data


def _unit_out(unit: Unit, coverage: cov.Coverage | None) -> dict[str, Any]:
    return {
        "serial": unit.serial, "model": unit.product_model.code, "status": unit.status,
        "manufactured_on": unit.manufactured_on, "shipped_on": unit.shipped_on, "sold_on": unit.sold_on,
        "dealer": unit.dealer.code if unit.dealer is not None else None, "customer": unit.customer_id,
        "region_code": unit.region_code, "replacement_days": unit.replacement_days,
        "warranty_months": unit.warranty_months,
        "replaces": unit.replaces.serial if unit.replaces is not None else None,
        "coverage": coverage.status.value if coverage else None,
    }


def _customer_out(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "name": customer.name, "contact_name": customer.contact_name,
            "phone": customer.phone, "region_code": customer.region_code,
            "dealer": customer.dealer.code if customer.dealer is not None else None}


# --- public coverage ------------------------------------------------------------------------
def _coverage_json(found: selectors.CoverageLookup) -> bytes:
    """CoverageOut as JSON, built directly: the hot path skips ninja's validation and encoder
    (bench/README.md, "Coverage lookups over HTTP"); tests pin the keys and values."""
    coverage = found.coverage
    return json.dumps({
        "serial": found.serial, "model": found.model, "coverage": coverage.status.value,
        "warranty_start": coverage.warranty_start.isoformat(),
        "replacement_end": coverage.replacement_end.isoformat(),
        "warranty_end": coverage.warranty_end.isoformat(), "days_left": coverage.days_left,
        "dealer": dict(zip(("code", "name", "phone"), found.dealer, strict=True)) if found.dealer else None,
    }).encode()


def _coverage(request: HttpRequest, serial: str, on: date | None) -> HttpResponse:
    wait = public_limited(request)
    if wait:
        raise RateLimited(_("请求过于频繁，请稍后再试。"), retry_after=wait)
    found = selectors.coverage_lookup(serial, on or clock.today())
    return HttpResponse(_coverage_json(found), content_type=_JSON)


@router.get("/units/{serial}/coverage",
            response={200: CoverageOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}, auth=None,
            summary="Warranty coverage of a unit on a day (public, rate-limited)")
def unit_coverage(request: HttpRequest, serial: str, on: date | None = None) -> HttpResponse:
    """`on` defaults to today in Asia/Shanghai. 404 for an unknown serial; 422 when `on` is before
    the warranty start or the unit was never shipped; 429 over the per-IP rate limit."""
    return _coverage(request, serial, on)


# The query strings the plain view answers itself: none, or exactly `on=YYYY-MM-DD`.
_PLAIN_QUERY = re.compile(r"(?:on=([0-9]{4}-[0-9]{2}-[0-9]{2}))?")


def plain_coverage_view(
    operation_view: Callable[..., HttpResponseBase],
    on_exception: Callable[[HttpRequest, Exception], HttpResponse],
) -> Callable[..., HttpResponseBase]:
    """The view that serves GET /units/{serial}/coverage, in front of ninja's OPERATION_VIEW.

    Ninja's dispatch and parameter parsing cost about as much CPU as the coverage rules, the rate limit
    and the JSON together (bench/README.md, "Coverage lookups over HTTP"), so a GET with no query string
    or exactly `on=YYYY-MM-DD` is answered here; anything else (another method, other query strings, a
    day that does not exist) goes to the ninja operation, which stays the route's OpenAPI entry and
    answers with its own 405/422 bodies. Errors go through ON_EXCEPTION, the API's exception handlers,
    so their bodies are those ninja would send.
    """

    @csrf_exempt  # as ninja's views: a POST gets ninja's 405, not a CSRF 403
    def unit_coverage_plain(request: HttpRequest, serial: str) -> HttpResponseBase:
        plain = _PLAIN_QUERY.fullmatch(request.META.get("QUERY_STRING", ""))
        if request.method != "GET" or plain is None:
            return operation_view(request, serial=serial)
        try:
            on = date.fromisoformat(plain[1]) if plain[1] else None
        except ValueError:  # 2025-13-01: ninja's 422 says why
            return operation_view(request, serial=serial)
        try:
            return _coverage(request, serial, on)
        except Exception as exc:  # noqa: BLE001  (to the API's handlers, as ninja's operation does)
            return on_exception(request, exc)

    return unit_coverage_plain


# --- callers ---------------------------------------------------------------------------------
def callers_json(match: CallerMatch) -> dict[str, Any]:
    return {
        "dealers": [{"code": d.code, "name": d.name, "contact": d.contact, "phone": d.phone} for d in match.dealers],
        "customers": [{"id": c.id, "name": c.name, "phone": c.phone, "dealer": c.dealer_code}
                      for c in match.customers],
        "units": [u.serial for u in match.units],
        "open_cases": [str(item.key) for item in match.open_cases],
        "open_orders": [int(item.key) for item in match.open_orders],
    }


@router.get("/callers", response={200: CallersOut, 404: ErrorOut, 422: ErrorOut},
            summary="Who is calling: dealers, customers, units, open cases and orders by phone or serial (staff)")
def callers(request: HttpRequest, query: Query[CallerQuery]) -> dict[str, Any]:
    """Phones match in any written form (digits only, +86/0086/86 dropped for mobiles, area code kept,
    extension ignored). 422 `caller_query_missing` without phone and serial, 422 `phone_invalid` for a
    phone without digits; 404 for anyone but vendor staff, as the staff pages."""
    return callers_json(callers_for(request.user, phone=query.phone, serial=query.serial))


# --- snapshots -------------------------------------------------------------------------------
def _snapshot_out(entry: selectors.SnapshotEntry, serial: str) -> dict[str, Any]:
    snapshot = entry.snapshot
    local = clock.localtime  # times as in the service-order API: Asia/Shanghai with its offset
    return {"id": snapshot.pk, "serial": serial, "taken_at": local(snapshot.taken_at),
            "received_at": local(snapshot.received_at),
            "source": snapshot.source.username if snapshot.source is not None else None, "config": snapshot.config,
            "previous_taken_at": local(entry.previous_taken_at) if entry.previous_taken_at else None,
            "changes": entry.changes.as_dict() if entry.changes is not None else None}


@router.post("/units/{serial}/snapshots",
             response={201: SnapshotOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut},
             summary="Push a unit's hardware configuration (integration token)")
def unit_snapshot_create(request: HttpRequest, serial: str, payload: SnapshotIn) -> Status:
    """For tokens of users with the `integration` role (e.g. the cloud-management platform; admins
    too). The body's `config` must be a JSON object (422 `snapshot_invalid`) of at most 64 KiB
    (413 `snapshot_too_large`); the same unit and `taken_at` twice is 409 `snapshot_exists`.
    The answer carries what changed since the previous snapshot."""
    if not request.user.has_role(Role.INTEGRATION):  # type: ignore[union-attr]
        raise Forbidden(_("只有系统集成账号可以上传配置快照。"))
    if len(request.body) > services.SNAPSHOT_MAX_BYTES + 4096:
        raise services.SnapshotTooLarge(_("配置快照过大（上限 %(max)s 字节）。") % {"max": services.SNAPSHOT_MAX_BYTES},
                                        limit=services.SNAPSHOT_MAX_BYTES)
    unit = Unit.objects.filter(serial=selectors.normalize_serial(serial)).first()
    if unit is None:
        raise NotFound(_("没有找到该序列号的设备。"))
    snapshot = services.unit_snapshot_record(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                             config=payload.config, taken_at=payload.taken_at)
    return Status(201, _snapshot_out(selectors.snapshot_entry(snapshot), unit.serial))


@router.get("/units/{serial}/snapshots", response={200: SnapshotList, 404: ErrorOut},
            summary="A unit's hardware snapshots, newest first, each with what changed; 404 for another dealer's")
def unit_snapshot_list(request: HttpRequest, serial: str, limit: int = Query(20, ge=1, le=100)) -> dict[str, Any]:
    unit, entries = selectors.unit_snapshots(request.user, serial, limit=limit)
    return {"serial": unit.serial, "results": [_snapshot_out(e, unit.serial) for e in entries]}


# --- product models -------------------------------------------------------------------------
@router.get("/models", response=list[ProductModelOut], summary="Product models")
def model_list(request: HttpRequest) -> list[ProductModel]:
    _staff_reads(request)
    return list(ProductModel.objects.order_by("code"))


@router.post("/models", response={201: ProductModelOut}, summary="Create a product model (staff)")
def model_create(request: HttpRequest, payload: ProductModelIn) -> Status:
    _require_staff(request)
    created = services.product_model_create(actor=request.user, **payload.dict())  # type: ignore[arg-type]
    return Status(201, created)


@router.get("/models/{code}", response=ProductModelOut, summary="One product model")
def model_get(request: HttpRequest, code: str) -> ProductModel:
    _staff_reads(request)
    found = ProductModel.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("没有找到该记录。"))
    return found


@router.patch("/models/{code}", response=ProductModelOut, summary="Change a product model (staff)")
def model_update(request: HttpRequest, code: str, payload: ProductModelPatch) -> ProductModel:
    _require_staff(request)
    found = model_get(request, code)
    return services.product_model_update(actor=request.user, product_model=found,  # type: ignore[arg-type]
                                         **payload.dict(exclude_unset=True))


# --- dealers --------------------------------------------------------------------------------
@router.get("/dealers", response=list[DealerOut], summary="Dealers the caller may see")
def dealer_list(request: HttpRequest) -> list[dict[str, Any]]:
    dealers = scoped(request.user, Dealer).prefetch_related("regions").order_by("code")[:500]
    return [_dealer_out(d) for d in dealers]


@router.post("/dealers", response={201: DealerOut}, summary="Create a dealer with its regions (staff)")
def dealer_create(request: HttpRequest, payload: DealerIn) -> Status:
    _require_staff(request)
    data = payload.dict()
    regions = data.pop("regions")
    dealer = services.dealer_create(actor=request.user, region_codes=regions, **data)  # type: ignore[arg-type]
    return Status(201, _dealer_out(dealer))


@router.get("/dealers/{code}", response=DealerOut, summary="One dealer; 404 for another dealer's")
def dealer_get(request: HttpRequest, code: str) -> dict[str, Any]:
    return _dealer_out(get_for(request.user, Dealer, code=code))


@router.patch("/dealers/{code}", response=DealerOut, summary="Change a dealer (staff)")
def dealer_update(request: HttpRequest, code: str, payload: DealerPatch) -> dict[str, Any]:
    dealer = get_for(request.user, Dealer, code=code)
    _require_staff(request)
    data = payload.dict(exclude_unset=True)
    regions = data.pop("regions", None)
    dealer = services.dealer_update(actor=request.user, dealer=dealer, region_codes=regions, **data)  # type: ignore[arg-type]
    return _dealer_out(dealer)


# --- units ----------------------------------------------------------------------------------
@router.get("/units", response=UnitPage, summary="Units the caller may see, with the search filters")
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> dict[str, Any]:
    params = filters.dict()
    page, size = params.pop("page"), params.pop("page_size")
    qs = selectors.unit_search(request.user, params).select_related("replaces")
    count = qs.count()
    units = list(qs[(page - 1) * size: page * size])
    coverage = selectors.coverage_today_map(units, clock.today())
    return {"count": count, "page": page, "page_size": size,
            "results": [_unit_out(u, coverage[u.pk]) for u in units]}


def _unit_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "model" in data:
        data["product_model"] = _model_by_code(data.pop("model"))
    if "dealer" in data:
        data["dealer"] = _dealer_by_code(data["dealer"])
    if "customer" in data:
        data["customer"] = _customer_by_id(data["customer"])
    if data.get("region_code") is None and "region_code" in data:
        data["region_code"] = ""
    return data


@router.post("/units", response={201: UnitOut}, summary="Register a unit (staff)")
def unit_create(request: HttpRequest, payload: UnitIn) -> Status:
    _require_staff(request)
    unit = services.unit_create(actor=request.user, **_unit_fields(payload.dict()))  # type: ignore[arg-type]
    return Status(201, _unit_out(unit, selectors.coverage_or_none(unit, clock.today())))


@router.get("/units/{serial}", response=UnitOut, summary="One unit; 404 for another dealer's")
def unit_get(request: HttpRequest, serial: str) -> dict[str, Any]:
    unit = selectors.unit_get(request.user, serial)
    return _unit_out(unit, selectors.coverage_or_none(unit, clock.today()))


@router.patch("/units/{serial}", response=UnitOut, summary="Change a unit (staff)")
def unit_update(request: HttpRequest, serial: str, payload: UnitPatch) -> dict[str, Any]:
    unit = selectors.unit_get(request.user, serial)
    _require_staff(request)
    unit = services.unit_update(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                **_unit_fields(payload.dict(exclude_unset=True)))
    return _unit_out(unit, selectors.coverage_or_none(unit, clock.today()))


# --- customers ------------------------------------------------------------------------------
@router.get("/customers", response=list[CustomerOut], summary="Customers the caller may see")
def customer_list(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    """`q` matches the name, the contact name or the phone in any written form."""
    customers = selectors.customer_search(request.user, q).select_related("dealer").order_by("name")
    return [_customer_out(c) for c in customers[:500]]


@router.post("/customers", response={201: CustomerOut}, summary="Create a customer (staff)")
def customer_create(request: HttpRequest, payload: CustomerIn) -> Status:
    _require_staff(request)
    data = payload.dict()
    data["dealer"] = _dealer_by_code(data["dealer"])
    created = services.customer_create(actor=request.user, **data)  # type: ignore[arg-type]
    return Status(201, _customer_out(created))


@router.get("/customers/{pk}", response=CustomerOut, summary="One customer; 404 for another dealer's")
def customer_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _customer_out(get_for(request.user, Customer.objects.select_related("dealer"), pk=pk))


@router.patch("/customers/{pk}", response=CustomerOut, summary="Change a customer (staff)")
def customer_update(request: HttpRequest, pk: int, payload: CustomerPatch) -> dict[str, Any]:
    customer = get_for(request.user, Customer, pk=pk)
    _require_staff(request)
    data = payload.dict(exclude_unset=True)
    if "dealer" in data:
        data["dealer"] = _dealer_by_code(data["dealer"])
    return _customer_out(services.customer_update(actor=request.user, customer=customer, **data))  # type: ignore[arg-type]

