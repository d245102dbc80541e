"""Service cases over the API (DESIGN §6 "Cases, callers and snapshots"): a public contract.

Errors are the ShouhouError JSON of `api/urls.py`, as for service orders: 409 `{"code",
"detail", "allowed"}` for an event the status does not allow, 409 `{"code", "detail",
"version"}` for a stale version, 422 `{"code": "invalid", "detail", "field"}` for bad fields,
403 for what the caller may not do, 404 for a case the caller may not see (another dealer's,
or a complaint about the caller's own dealer).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from shouhou.api.paging import page_field
from shouhou.api.rma import parse_time
from shouhou.cases import services
from shouhou.cases.policy import work_calendar
from shouhou.cases.selectors import case_get_for, case_search, case_view
from shouhou.core.models import User
from shouhou.domain import cases as domain
from shouhou.domain.errors import Invalid

router = Router(tags=["cases"])

MAX_PAGE_SIZE = 100


class ReporterIn(Schema):
    name: str = ""
    phone: str = ""
    email: str = ""
    qq: str = ""


class CaseIn(Schema):
    channel: str = Field(description="hotline | qq | email | web | portal | api")
    type: str = Field(description="consultation | fault | repair | complaint")
    reporter: ReporterIn = ReporterIn()
    serial: str | None = None
    region: str | None = Field(None, description="Region code (GB/T 2260) where the unit was bought.")
    subject: str = ""
    description: str = ""
    opened_at: str | None = Field(None, description="Staff only: when the contact came in (default now).")
    team: str | None = Field(None, description="Key of the team the case is opened for (service | support | "
                             "centre, or another team's key): it waits unowned in that team's queue.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "channel": "hotline",
        "type": "fault",
        "reporter": {"name": "王老板", "phone": "0771-5561234", "email": "", "qq": "12345678"},
        "serial": "SN2025000001",
        "region": "450100",
        "subject": "无盘客户机启动蓝屏",
        "description": "网吧 80 台客户机无盘启动时蓝屏，服务器重启后依旧。",
        "opened_at": None,
    }]})


class ReporterOut(Schema):
    name: str
    phone: str
    email: str
    qq: str


class CaseDealerOut(Schema):
    code: str
    name: str
    phone: str


class CaseOut(Schema):
    id: int
    number: str = Field(examples=["C2026-000123"])
    channel: str
    type: str
    status: str
    subject: str
    description: str
    reporter: ReporterOut
    serial: str | None
    dealer: CaseDealerOut | None
    coverage: str | None
    team: str | None = Field(None, description="Key of the team the case was opened for.")
    owner: str | None = Field(description="Username of the owner.")
    first_responder: str | None
    opened_at: str
    pickup_at: str = Field(description="When staff pick the case up (DESIGN §2).")
    first_response_due: str
    resolution_due: str
    version: int
    allowed: list[str] = Field(description="Events this caller may apply now.")


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class CaseFilters(Schema):
    status: str | None = Field(None, description="A status, or open (default), done, all.")
    channel: str | None = None
    type: str | None = None
    q: str | None = Field(None, description="Case number, phone, serial or reporter name.")
    team: str | None = Field(None, description="A team's key: that team's cases.")
    page: int = page_field()
    page_size: int = 50


class CaseEventIn(Schema):
    """`{"version": N, …fields of the event}`."""

    model_config = ConfigDict(extra="allow")

    version: Any = Field(None, description="The case's version you read (required).")


EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "accept": {"version": 1},
    "hand_over": {"version": 2, "to": "jishu", "note": "转技术支持排查无盘问题"},
    "note": {"version": 2, "text": "用户已发来拓扑图"},
    "log_call": {"version": 2, "minutes": 12, "text": "指导用户重装网卡驱动"},
    "forward_to_dealer": {"version": 1, "note": "请代理商上门检查"},
    "wait": {"version": 2, "on": "customer"},
    "resolve": {"version": 3, "resolution": "按常见问题重装网卡驱动后正常", "category": "resolved_by_faq"},
    "close": {"version": 4},
    "reopen": {"version": 5, "reason": "用户回电：问题再次出现"},
}

_EVENT_DOC = "\n".join(
    f"- `{event}` {{{', '.join(name for name, _req in domain.EVENT_FIELDS[domain.Event(event)])}}}"
    + (" — dealer may apply" if domain.Event(event) in domain.DEALER_EVENTS else "")
    for event in EVENT_EXAMPLES
)


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("缺少版本号 version（整数）"), field="version")
    return value


@router.post("/cases", response={201: CaseOut}, summary="Open a case")
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    """Open a case. A dealer token opens cases for its own dealer; `opened_at` is staff only."""
    user = request.user
    case = services.case_open(
        actor=user,  # type: ignore[arg-type]
        channel=payload.channel, case_type=payload.type, subject=payload.subject,
        description=payload.description,
        reporter=services.Reporter(payload.reporter.name, payload.reporter.phone, payload.reporter.email,
                                   payload.reporter.qq),
        serial=payload.serial or "", region=payload.region or "",
        opened_at=parse_time(payload.opened_at, "opened_at"), team=payload.team or "",
    )
    return Status(201, case_view(case_get_for(user, case.pk), user=user, tz=work_calendar().tz))


@router.get("/cases", response=CasePage, summary="List cases")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Cases the caller may see, newest first. Dealer tokens see their own dealer's (never complaints)."""
    user = request.user
    page_size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    page = max(1, filters.page)
    qs = case_search(user, status=filters.status or "", channel=filters.channel or "",
                     case_type=filters.type or "", q=filters.q or "", team=filters.team or "",
                     now=timezone.now())
    tz = work_calendar().tz
    return {"count": qs.count(), "page": page, "page_size": page_size,
            "results": [case_view(c, user=user, tz=tz) for c in qs[(page - 1) * page_size: page * page_size]]}


@router.get("/cases/{case_id}", response=CaseOut, summary="Get a case")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_view(case_get_for(request.user, case_id), user=request.user, tz=work_calendar().tz)


@router.post(
    "/cases/{case_id}/{event}",
    response=CaseOut,
    summary="Apply an event to a case",
    description="Body: `{\"version\": N, …fields}`. Events and their fields:\n\n" + _EVENT_DOC,
    openapi_extra={"requestBody": {"content": {"application/json": {"examples": {
        event: {"summary": event, "value": body} for event, body in EVENT_EXAMPLES.items()
    }}}}},
)
def case_event(request: HttpRequest, case_id: int, event: str, payload: CaseEventIn) -> dict[str, Any]:
    user = request.user
    case = case_get_for(user, case_id)
    body = json.loads(request.body or b"{}")
    fields = {k: v for k, v in body.items() if k != "version"}
    if event == domain.Event.HAND_OVER and "to" in fields:
        to = User.objects.filter(username=fields["to"]).only("pk").first() if isinstance(fields["to"], str) else None
        if to is None:
            raise Invalid(_("接手人 %(to)s 不存在。") % {"to": fields["to"]}, field="to")
        fields["to"] = to.pk
    case = services.case_apply(case=case, event=event, actor=user,  # type: ignore[arg-type]
                               version=_version(payload.version), fields=fields)
    return case_view(case_get_for(user, case.pk), user=user, tz=work_calendar().tz)
