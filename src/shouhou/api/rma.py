"""Service orders over the API (DESIGN §6 "Service orders over the API"): a public contract.

Errors are the ShouhouError JSON of `api/urls.py`: 409 `{"code", "detail", "allowed"}` for an
event the state does not allow, 409 `{"code", "detail", "version"}` for a stale version, 422
`{"code": "invalid", "detail", "field"}` for bad fields, 403 for a role that may not apply the
event, 404 for an order the caller may not see. Bodies are parsed leniently by the schemas and
checked by the services, so that bad input gets the machine-readable 422 above.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from shouhou.api.faq import ErrorOut, RateLimited
from shouhou.api.paging import page_field
from shouhou.domain import rma
from shouhou.domain.errors import Invalid
from shouhou.registry.models import Dealer
from shouhou.registry.throttle import public_limited
from shouhou.rma import services, services_receipts
from shouhou.rma.models import OrderSource
from shouhou.rma.policy import policy_version_get, work_calendar
from shouhou.rma.policy import sections as policy_sections
from shouhou.rma.selectors import line_get_for, line_view, order_get_for, order_list, order_view, viewer_role

router = Router(tags=["service orders"])

MAX_PAGE_SIZE = 100


# --- schemas ------------------------------------------------------------------------------------


class ContactIn(Schema):
    name: str = ""
    phone: str = ""
    email: str = ""


class LineIn(Schema):
    serial: str = ""
    fault: str = ""
    advance_replacement: Any = False
    advance_reason: str = ""


class OrderIn(Schema):
    dealer: str | None = Field(None, description="Dealer code; a dealer token may only use its own (default).")
    contact: ContactIn = ContactIn()
    return_address: str = ""
    case: str | None = Field(None, description="Number of the service case the form comes from.")
    submitted_at: str | None = Field(None, description="Staff only: when the form arrived; not in the future.")
    draft: bool = Field(False, description="Save as a draft (nothing checked but ownership): attach each line's "
                                           "topology diagram with POST .../lines/{line}/topology, then POST "
                                           "/service-orders/{id}/submit. A dealer's form needs the diagrams, "
                                           "so dealer tokens submit this way.")
    lines: list[LineIn] = []

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "dealer": "GX-A01",
        "contact": {"name": "李工", "phone": "13800000000", "email": "li@example.cn"},
        "return_address": "广西南宁市青秀区民族大道 1 号",
        "case": None,
        "submitted_at": None,
        "lines": [{"serial": "SN2025000001", "fault": "无法开机，电源灯不亮", "advance_replacement": False,
                   "advance_reason": ""}],
    }]})


class LineOut(Schema):
    """LINE. `due_provisional: true` is added when the deadline counts days of a year whose
    official holiday schedule is not published yet."""

    model_config = ConfigDict(extra="allow")

    id: int
    serial: str
    coverage: str | None
    state: str
    path: str | None
    due: str | None = Field(description="Deadline the vendor owes now (null when the move is the dealer's).")
    dealer_due: str | None = Field(description="Deadline the dealer owes now (quote validity, faulty unit).")
    overdue: bool
    version: int
    allowed: list[str] = Field(description="Events this caller may apply now.")


class OrderOut(Schema):
    id: int
    number: str | None
    dealer: str
    submitted_at: str | None
    lines: list[LineOut]


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrderOut]


class EventIn(Schema):
    """`{"version": N, "at": TIME|null, …fields of the event}`."""

    model_config = ConfigDict(extra="allow")

    version: Any = Field(None, description="The line's version you read (required).")
    at: Any = Field(None, description="When the step really happened (default now; not in the future, "
                                      "not before the line's previous step).")


class OrderFilters(Schema):
    state: str | None = Field(None, description="Line state(s), comma-separated.")
    path: str | None = Field(None, description="Line path(s), comma-separated.")
    overdue: bool | None = None
    dealer: str | None = Field(None, description="Dealer code (staff only).")
    model: str | None = Field(None, description="Product model code.")
    page: int = page_field()
    page_size: int = 50


# One example body per event (DESIGN §6), shown in /api/v1/docs.
EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "approve": {"version": 1},
    "approve_advance": {"version": 1, "reason": "网吧营业急需，包换期内提前换货"},
    "request_info": {"version": 1, "message": "请上传配置拓扑图"},
    "resubmit": {"version": 2},
    "reject": {"version": 1, "reason": "非本公司产品"},
    "ship_to_centre": {"version": 2, "carrier": "顺丰", "tracking": "SF1234567890"},
    "receive": {"version": 3, "at": "2025-09-30T10:00:00+08:00", "condition": "外包装完好"},
    "inspect": {"version": 4, "fault_confirmed": True, "damage": [], "components": ["主板"]},
    "send_quote": {"version": 5, "items": [{"text": "更换主板", "amount": "680.00"}],
                   "options": ["paid_repair"], "valid_days": 15},
    "confirm_quote": {"version": 6, "choice": "paid_repair"},
    "decline_quote": {"version": 6, "scrap": False},
    "ship_replacement": {"version": 5, "carrier": "顺丰", "tracking": "SF2234567890",
                         "replacement_serial": "SN2025009999"},
    "ship_repaired": {"version": 7, "carrier": "顺丰", "tracking": "SF3234567890"},
    "ship_back": {"version": 5, "carrier": "顺丰", "tracking": "SF4234567890"},
    "confirm_delivery": {"version": 8},
    "complete_repair": {"version": 6, "parts": ["主板"], "result": "更换主板后测试正常"},
    "charge": {"version": 6, "amount": "350.00", "reason": "机箱进液，不属于包换条款"},
    "close": {"version": 9},
    "cancel": {"version": 1, "reason": "用户已自行解决"},
}

_EVENT_DOC = "\n".join(
    f"- `{event}` {{{', '.join(sorted(rma.EVENT_FIELDS[rma.Event(event)])) or ''}}}"
    + (" — dealer may apply" if rma.Event(event) in rma.DEALER_EVENTS else "")
    for event in EVENT_EXAMPLES
)


# --- helpers ------------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_time(value: Any, field: str) -> datetime | None:
    """ISO 8601 with offset; a date alone is 00:00 Asia/Shanghai; without offset, Asia/Shanghai."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid(_("时间格式应为 ISO 8601，例如 2025-09-30T10:00:00+08:00"), field=field)
    text = value.strip()
    try:
        if _DATE.match(text):
            parsed = datetime.combine(date.fromisoformat(text), time.min)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_("时间格式应为 ISO 8601，例如 2025-09-30T10:00:00+08:00"), field=field) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, work_calendar().tz)
    return parsed


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("缺少版本号 version（整数）"), field="version")
    return value


# --- routes -------------------------------------------------------------------------------------


@router.post("/service-orders", response={201: OrderOut}, summary="Submit a service form")
def service_order_create(request: HttpRequest, payload: OrderIn) -> Status:
    """Submit a service form. A dealer token may only use its own dealer; `submitted_at` is staff only."""
    user = request.user
    code = payload.dealer or getattr(getattr(user, "dealer", None), "code", None)
    dealer = Dealer.objects.filter(code=code).first() if code else None
    if dealer is None:
        raise Invalid(_("代理商 %(code)s 不存在") % {"code": code or ""}, field="dealer")
    lines = [{"serial": ln.serial, "fault": ln.fault, "advance_requested": ln.advance_replacement,
              "advance_reason": ln.advance_reason} for ln in payload.lines]
    if payload.draft:
        order = services.order_save_draft(
            dealer=dealer, actor=user,  # type: ignore[arg-type]
            contact_name=payload.contact.name, contact_phone=payload.contact.phone,
            contact_email=payload.contact.email, return_address=payload.return_address, lines=lines,
            source=OrderSource.API)
    else:
        order = services.order_submit(
            dealer=dealer,
            actor=user,  # type: ignore[arg-type]
            contact_name=payload.contact.name,
            contact_phone=payload.contact.phone,
            contact_email=payload.contact.email,
            return_address=payload.return_address,
            case_number=payload.case or "",
            submitted_at=parse_time(payload.submitted_at, "submitted_at"),
            source=OrderSource.API,
            # The seed requires a topology diagram of the dealer: a dealer's form comes as a draft with
            # its diagrams attached. Staff entering a form received elsewhere may do without.
            topology_required=viewer_role(user) == "dealer",
            lines=lines,
        )
    now = timezone.now()
    return Status(201, order_view(order_get_for(user, order.pk), role=viewer_role(user), now=now, cal=work_calendar()))


@router.post("/service-orders/{order_id}/lines/{line_id}/topology", response=LineOut,
             summary="Attach a draft line's topology diagram (multipart, field `file`)")
def service_order_line_topology(request: HttpRequest, order_id: int, line_id: int,
                                file: File[UploadedFile]) -> Any:
    """The draft-then-attach flow: the diagram of one line of a draft (see `draft` on POST /service-orders)."""
    user = request.user
    line = line_get_for(user, order_id=order_id, line_id=line_id)
    line = services.line_topology_attach(line=line, actor=user, upload=file)  # type: ignore[arg-type]
    return line_view(line, role=viewer_role(user), now=timezone.now(), cal=work_calendar()).as_dict()


@router.post("/service-orders/{order_id}/submit", response=OrderOut, summary="Submit a draft")
def service_order_submit(request: HttpRequest, order_id: int) -> dict[str, Any]:
    """Submit a draft with its attached diagrams; 422 lists every problem (`problems`), like POST /service-orders."""
    user = request.user
    draft = order_get_for(user, order_id)
    if not draft.is_draft:
        raise Invalid(_("该服务单已提交。"), reason="not_draft", field="draft")
    order = services.order_submit_draft(order=draft, actor=user,  # type: ignore[arg-type]
                                        topology_required=viewer_role(user) == "dealer")
    return order_view(order_get_for(user, order.pk), role=viewer_role(user), now=timezone.now(), cal=work_calendar())


@router.get("/service-orders", response=OrderPage, summary="List service orders")
def service_order_list(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, Any]:
    """Orders the caller may see, newest first; a line must match every filter. Dealer tokens see their own."""
    user = request.user
    page_size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    page = max(1, filters.page)
    now = timezone.now()
    qs = order_list(user=user, state=filters.state, path=filters.path, overdue=filters.overdue,
                    dealer=filters.dealer, model=filters.model, now=now)
    count = qs.count()
    cal = work_calendar()
    role = viewer_role(user)
    orders = qs[(page - 1) * page_size: page * page_size]
    return {"count": count, "page": page, "page_size": page_size,
            "results": [order_view(o, role=role, now=now, cal=cal) for o in orders]}


@router.get("/service-orders/{order_id}", response=OrderOut, summary="Get a service order")
def service_order_detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    user = request.user
    return order_view(order_get_for(user, order_id), role=viewer_role(user), now=timezone.now(),
                      cal=work_calendar())


@router.post(
    "/service-orders/{order_id}/lines/{line_id}/{event}",
    response=LineOut,
    summary="Apply an event to a line",
    description="Body: `{\"version\": N, \"at\": TIME|null, …fields}`. Events and their fields:\n\n" + _EVENT_DOC,
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": {
        event: {"summary": event, "value": body} for event, body in EVENT_EXAMPLES.items()
    }}}}},
)
def service_order_line_event(request: HttpRequest, order_id: int, line_id: int, event: str,
                             payload: EventIn) -> dict[str, Any]:
    user = request.user
    line = line_get_for(user, order_id=order_id, line_id=line_id)
    # The schema documents the envelope; the event's own fields are read from the raw body.
    body = json.loads(request.body or b"{}")
    fields = {k: v for k, v in body.items() if k not in ("version", "at")}
    line = services.line_apply(
        line=line, event=event, actor=user,  # type: ignore[arg-type]
        version=_version(payload.version), at=parse_time(payload.at, "at"), fields=fields,
    )
    return line_view(line, role=viewer_role(user), now=timezone.now()).as_dict()


# --- policy texts and unannounced receipts (DESIGN §6 "Policy and unannounced receipts") -----------


class PolicySectionOut(Schema):
    key: str = Field(description="service_policy | replacement_terms | free_repair_scope")
    title: str
    body: str = Field(description="Markdown")


class PolicyOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 3, "sections": [
        {"key": "service_policy", "title": "售后服务政策", "body": "## 适用范围\n……"},
        {"key": "replacement_terms", "title": "包换服务条款", "body": "1. **故障属实**：……"},
        {"key": "free_repair_scope", "title": "免费维修范围", "body": "1. **范围内**：……"}]}]})

    version: int
    sections: list[PolicySectionOut]


@router.get("/policy", response={200: PolicyOut, 404: ErrorOut, 429: ErrorOut}, auth=None, tags=["policy"],
            summary="The policy texts in force (public)")
def policy_get(request: HttpRequest) -> dict[str, Any]:
    """The policy pack's texts in force: 售后服务政策, 包换服务条款 and 免费维修范围, as Markdown."""
    if not request.user.is_authenticated and public_limited(request):
        raise RateLimited(_("请求过于频繁，请稍后再试。"))
    version = policy_version_get(None)
    return {"version": version.version, "sections": policy_sections(version)}


class ReceiptIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "serial": "SN-S200-000001", "carrier": "顺丰速运", "tracking": "SF1234567890", "condition": "外箱完好",
        "at": None}]})

    serial: str
    carrier: str = ""
    tracking: str = ""
    condition: str = ""
    at: str | None = Field(None, description="When the parcel arrived (default now); not in the future.")


class ReceiptOut(Schema):
    id: int
    serial: str
    dealer: str | None = Field(description="Dealer code of the unit; null while the serial is unknown.")
    order: int | None = Field(description="The service order that took the unit over, else null.")
    status: str = Field(description="awaiting_form | taken_over")


@router.post("/receipts", response={201: ReceiptOut, 403: ErrorOut, 422: ErrorOut}, tags=["policy"],
             summary="Log a unit that arrived without an approved form (service centre)")
def receipt_create(request: HttpRequest, payload: ReceiptIn) -> Status:
    """A later service order for the serial takes the unit over: after `approve` its line is
    `received`, with `due` counted from the approval. An unknown serial is logged too (dealer null)."""
    receipt = services_receipts.receipt_log(
        actor=request.user,  # type: ignore[arg-type]
        serial=payload.serial, carrier=payload.carrier, tracking=payload.tracking, condition=payload.condition,
        at=parse_time(payload.at, "at"))
    return Status(201, {"id": receipt.pk, "serial": receipt.serial,
                        "dealer": receipt.dealer.code if receipt.dealer else None,
                        "order": receipt.line.order_id if receipt.line else None, "status": receipt.status})
