"""Staff pages of service cases: the list (and "my cases", the triage queue), the case page
with one form per allowed event, triage and attachments, and the hotline screen `/intake`.

The dealer portal (`views_portal`) reuses `case_context` and `apply_event` with the dealer's
user; every read goes through the dealer scoping layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhou.cases import services
from shouhou.cases.display import target_of
from shouhou.cases.forms import (
    EVENT_FORMS,
    EVENT_LABELS,
    VERB_LABELS,
    AttachmentForm,
    ComplaintForm,
    DiagnosticForm,
    IntakeForm,
    TeamForm,
    triage_results,
)
from shouhou.cases.models import OPEN_STATUSES, Case, CaseChannel, CaseStatus, CaseType, Team, TriageItem, TriageResult
from shouhou.cases.policy import work_calendar
from shouhou.cases.selectors import allowed_events, case_findings, case_get_for, case_search, team_counts
from shouhou.core.access import role_required, staff_required
from shouhou.core.models import AuditEvent, User
from shouhou.core.roles import Role
from shouhou.core.scoping import get_for
from shouhou.core.sheets import xlsx_response
from shouhou.domain.errors import IllegalEvent, Invalid, NotFound, StaleVersion
from shouhou.domain.reports import parse_date
from shouhou.registry.selectors import dealers_for_region
from shouhou.registry.views import latest_snapshot
from shouhou.reports.xlsx import write_xlsx

PAGE_SIZE = 50
TRIAGE_LABELS = dict(TriageItem.choices)
RESULT_LABELS = dict(TriageResult.choices)
LIST_FILTERS = ("status", "channel", "type", "owner", "overdue", "q", "team")
# The filters a report's bar opens the list with (`shouhou.reports.figures`): the bar's period
# (opening date), dealer, model, region and target.
REPORT_FILTERS = ("from", "to", "dealer", "model", "region", "target")


def optional_url(name: str) -> str | None:
    """The URL of a page another app provides, or None while that app is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# --- lists ---------------------------------------------------------------------------------------


def target_labels() -> dict[str, str]:
    return {"first_response_met": _("首次响应按时"), "first_response_missed": _("首次响应超时"),
            "resolution_met": _("解决按时"), "resolution_missed": _("解决超时")}


def _list_params(request: HttpRequest, fixed: dict[str, str]) -> tuple[dict[str, str], str]:
    """The list's filters from the query string, and a message for a report filter that was dropped."""
    params = {k: request.GET.get(k, "").strip() for k in (*LIST_FILTERS, *REPORT_FILTERS)
              if request.GET.get(k, "").strip()}
    error = ""
    for key in ("from", "to"):
        if key in params:
            try:
                parse_date(params[key], key)
            except Invalid:
                error = _("日期格式应为 YYYY-MM-DD，例如 2025-11-30。")
                params.pop(key)
    if "region" in params and not (params["region"].isdigit() and len(params["region"]) == 6):
        params.pop("region")
    params.update(fixed)
    return params, error


def _list_cases(user: Any, params: dict[str, str], now: datetime) -> QuerySet[Case]:
    """The cases of a list page (and of its export) for PARAMS, as USER may see them."""
    return case_search(user, status=params.get("status", ""), channel=params.get("channel", ""),
                       case_type=params.get("type", ""), owner=params.get("owner", ""),
                       overdue=params.get("overdue") == "1", q=params.get("q", ""),
                       queue=params.get("queue", ""), team=params.get("team", ""),
                       first=parse_date(params["from"], "from") if params.get("from") else None,
                       last=parse_date(params["to"], "to") if params.get("to") else None,
                       dealer=params.get("dealer", ""), model=params.get("model", ""),
                       region=params.get("region", ""), target=params.get("target", ""), now=now)


def _list(request: HttpRequest, *, title: str, fixed: dict[str, str],
          team_tabs: list[dict[str, Any]] | None = None) -> HttpResponse:
    params, error = _list_params(request, fixed)
    now, cal = timezone.now(), work_calendar()
    qs = _list_cases(request.user, params, now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"case": c, "first": target_of(c.first_response_due, met_at=c.first_responded_at, now=now, cal=cal),
             "resolution": target_of(c.resolution_due, met_at=c.resolved_at, now=now, cal=cal)}
            for c in page.object_list]
    report = {k: v for k, v in params.items() if k in REPORT_FILTERS}
    return render(request, "cases/list.html", {
        "title": title, "page": page, "rows": rows, "params": params, "fixed": fixed, "error": error,
        "query": urlencode({k: v for k, v in params.items() if k not in fixed}),
        # The export takes the fixed filters too (the owner of "my cases", a queue).
        "export_query": urlencode(params),
        # The note of a report's filters, and the list without them.
        "report": report, "target_label": target_labels().get(report.get("target", ""), report.get("target", "")),
        "without_report": urlencode({k: v for k, v in params.items() if k not in fixed and k not in REPORT_FILTERS}),
        "teams": list(Team.objects.filter(active=True)), "team_tabs": team_tabs,
        "statuses": CaseStatus.choices, "channels": CaseChannel.choices, "types": CaseType.choices,
        "owners": User.objects.filter(owned_cases__isnull=False).distinct().only("username", "name")
        .order_by("username"),
    })


@staff_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    return _list(request, title=_("服务案例"), fixed={})


@staff_required
@require_GET
def case_mine(request: HttpRequest) -> HttpResponse:
    return _list(request, title=_("我的案例"), fixed={"owner": request.user.username})


@staff_required
@require_GET
def triage_queue(request: HttpRequest) -> HttpResponse:
    return _list(request, title=_("排查队列"), fixed={"queue": "triage"})


@staff_required
@require_GET
def team_queue(request: HttpRequest) -> HttpResponse:
    """团队队列: the unowned open cases of the user's teams (`?team=` one team's whole queue)."""
    counts = team_counts(request.user)
    tabs = [{"team": t, "count": n, "active": request.GET.get("team") == t.key} for t, n in counts]
    if request.GET.get("team", "").strip():
        return _list(request, title=_("团队队列"), fixed={"owner": "none"}, team_tabs=tabs)
    return _list(request, title=_("我的团队待领取"), fixed={"queue": "myteams"}, team_tabs=tabs)


@staff_required
@require_GET
def case_export(request: HttpRequest) -> HttpResponseBase:
    """The list's cases with its filters (and a queue's, `queue=`), all pages, as xlsx."""
    params, _error = _list_params(request, {"queue": request.GET.get("queue", "").strip()}
                                  if request.GET.get("queue", "").strip() else {})
    now, cal = timezone.now(), work_calendar()
    qs = _list_cases(request.user, params, now).select_related("reporter_customer")
    path = write_xlsx(sheet=_("服务案例"), headers=export_headers(), rows=export_rows(qs, cal=cal))
    return xlsx_response(path, f"cases-{cal.local(now):%Y%m%d-%H%M}.xlsx")


def export_headers() -> list[str]:
    return [_("案例号"), _("主题"), _("报告人"), _("电话"), _("客户单位"), _("代理商"), _("序列号"), _("渠道"),
            _("类型"), _("状态"), _("负责人"), _("团队"), _("创建时间"), _("首次响应期限"), _("首次响应时间"),
            _("解决期限"), _("解决时间")]


def export_rows(cases: QuerySet[Case], *, cal: Any) -> Iterator[list[Any]]:
    """One row per case, read in chunks so a large list is never held whole."""
    def when(at: datetime | None) -> str:
        return cal.local(at).strftime("%Y-%m-%d %H:%M") if at else ""

    for c in cases.iterator(chunk_size=2000):
        yield [c.number, c.subject, c.reporter_name, c.reporter_phone,
               c.reporter_customer.name if c.reporter_customer else "", c.dealer.name if c.dealer else "",
               c.serial, c.get_channel_display(), c.get_case_type_display(), c.get_status_display(),
               str(c.owner) if c.owner else "", c.team.name if c.team else "", when(c.opened_at),
               when(c.first_response_due), when(c.first_responded_at), when(c.resolution_due), when(c.resolved_at)]


# --- teams ---------------------------------------------------------------------------------------


team_admin_required = role_required(Role.MANAGER, Role.ADMIN)


@team_admin_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.prefetch_related("members").select_related("robot").annotate(
        waiting=Count("cases", filter=Q(cases__owner__isnull=True, cases__status__in=OPEN_STATUSES)))
    return render(request, "cases/teams.html", {"teams": teams, "form": TeamForm()})


@team_admin_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = TeamForm(request.POST, instance_team=team)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.team_save(team=team, actor=request.user, key=data["key"], name=data["name"],  # type: ignore[arg-type]
                                   members=list(data["members"]),
                                   first_response_minutes=data["first_response_minutes"],
                                   resolution_working_days=data["resolution_working_days"],
                                   robot=data["robot"], active=data["active"])
            except Invalid as exc:
                field = str(exc.extra.get("field", ""))
                form.add_error(field if field in form.fields else None, str(exc))
            else:
                messages.success(request, _("团队已保存。"))
                return redirect("team_list")
        status = 422
    else:
        form = TeamForm(instance_team=team)
        status = 200
    return render(request, "cases/team_edit.html", {"form": form, "team": team}, status=status)


# --- the case page ----------------------------------------------------------------------------------


def timeline(case: Case, *, dealer_view: bool = False) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("at", "id")
    if dealer_view:
        # The dealer sees what was forwarded to it and its own answers, never staff's notes, calls
        # or triage (which may be about the dealer).
        events = events.filter(Q(verb__in=["case.opened", "case.forward_to_dealer", "case.resolve", "case.close",
                                           "case.reopen"])
                               | Q(verb="case.note", actor__dealer_id=case.dealer_id, actor__isnull=False))
    rows = list(events.select_related(None))
    for e in rows:
        e.label = str(VERB_LABELS.get(e.verb, e.verb))  # type: ignore[attr-defined]
        e.status_label = (str(CaseStatus(e.data["status"]).label)  # type: ignore[attr-defined]
                          if e.data.get("status") in CaseStatus.values else "")
        items = e.data.get("items") if isinstance(e.data.get("items"), dict) else {}
        e.triage = [(TRIAGE_LABELS.get(item, item), RESULT_LABELS.get(v.get("result"), v.get("result")),  # type: ignore[attr-defined]
                     v.get("note", "")) for item, v in items.items()]
    return rows


def case_context(request: HttpRequest, case: Case, *, portal: bool = False,
                 bound: dict[str, Any] | None = None) -> dict[str, Any]:
    now, cal = timezone.now(), work_calendar()
    bound = bound or {}
    allowed = allowed_events(case, request.user)
    event_forms = [{"event": e, "label": EVENT_LABELS[e],
                    "form": bound.get(e) or EVENT_FORMS[e](prefix=e, initial={"version": case.version})}
                   for e in allowed]
    context: dict[str, Any] = {
        "case": case, "portal": portal, "event_forms": event_forms,
        "first": target_of(case.first_response_due, met_at=case.first_responded_at, now=now, cal=cal),
        "resolution": target_of(case.resolution_due, met_at=case.resolved_at, now=now, cal=cal),
        "timeline": timeline(case, dealer_view=portal),
        "attachments": list(case.attachments.all()),
        "ratings": [r for r in case.ratings.all() if r.score is not None],
    }
    if not portal:
        checks = {t.item: t for t in case.triage.all()}
        context.update({
            "triage": [{"item": value, "label": label, "check": checks.get(value)}
                       for value, label in TriageItem.choices],
            "triage_results": TriageResult.choices,
            "diagnostics": list(case.diagnostics.select_related("recorded_by")),
            "diagnostic_form": DiagnosticForm(), "attachment_form": AttachmentForm(),
            "complaint_form": ComplaintForm(initial={"subject": _("投诉：%(subject)s") % {"subject": case.subject}}),
            "follow_ups": list(case.follow_ups.all()),
            # The unit's latest cloud-management snapshot and its changes, as on the unit page.
            "snapshot": latest_snapshot(case.unit) if case.unit_id else None,
            "orders": list(case.service_orders.order_by("-id")),
            "service_form_url": reverse("rma_order_new") + "?" + urlencode({
                "dealer": case.dealer.code, "case": case.number, "serial": case.serial,
                "fault": case_findings(case)}) if case.dealer and case.unit_id else None,
            # Dealer first: the unit's dealer, else those serving the purchase region.
            "region_dealers": list(dealers_for_region(case.region_code)[:10])
            if case.dealer is None and case.region_code else [],
        })
    return context


@staff_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    return render(request, "cases/detail.html", case_context(request, case))


def apply_event(request: HttpRequest, pk: int, event: str, *, portal: bool) -> HttpResponse:
    """POST of one event form: apply it, or show the page again with the problem (422/409)."""
    case = case_get_for(request.user, pk)
    if event not in EVENT_FORMS:
        raise NotFound(_("没有这个操作。"))
    back = reverse("portal_case" if portal else "case_detail", args=[pk])
    form = EVENT_FORMS[event](request.POST, prefix=event)
    status = 422
    if form.is_valid():
        try:
            services.case_apply(case=case, event=event, actor=request.user,  # type: ignore[arg-type]
                                version=form.cleaned_data["version"], fields=form.fields_for_event())
        except StaleVersion:
            form.add_error(None, _("该案例已被他人修改，请刷新后重试。"))
            status = 409
        except IllegalEvent:
            form.add_error(None, _("当前状态（%(status)s）不能执行“%(event)s”。") % {
                "status": case.get_status_display(), "event": EVENT_LABELS[event]})
            status = 409
        except Invalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已完成：%(event)s。") % {"event": EVENT_LABELS[event]})
            return redirect(back)
    case = case_get_for(request.user, pk)
    template = "portal/case_detail.html" if portal else "cases/detail.html"
    context = case_context(request, case, portal=portal, bound={event: form})
    context["open_form"] = event
    # The event's own form is not on the page when the status no longer allows it.
    context["problem"] = " ".join(str(e) for e in form.non_field_errors())
    return render(request, template, context, status=status)


@staff_required
@require_POST
def case_event(request: HttpRequest, pk: int, event: str) -> HttpResponse:
    return apply_event(request, pk, event, portal=False)


@staff_required
@require_POST
def case_triage(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    services.case_triage(case=case, actor=request.user, results=triage_results(request.POST))  # type: ignore[arg-type]
    messages.success(request, _("排查记录已保存。"))
    return redirect(reverse("case_detail", args=[pk]) + "#triage")


@staff_required
@require_POST
def case_diagnostic(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    form = DiagnosticForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("请选择诊断类别并填写记录。"))
    services.case_diagnostic(case=case, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    messages.success(request, _("诊断记录已保存。"))
    return redirect(reverse("case_detail", args=[pk]) + "#triage")


@staff_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise Invalid(_("请选择附件类别和文件。"))
    services.case_attach(case=case, actor=request.user, upload=form.cleaned_data["file"],  # type: ignore[arg-type]
                         kind=form.cleaned_data["kind"])
    messages.success(request, _("附件已上传。"))
    return redirect(reverse("case_detail", args=[pk]) + "#attachments")


def attachment_response(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    case = case_get_for(request.user, pk)
    attachment = get_for(request.user, case.attachments.all(), pk=attachment_id)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        filename=attachment.name, as_attachment=attachment.content_type == "application/pdf")


@staff_required
@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    return attachment_response(request, pk, attachment_id)


@staff_required
@require_POST
def case_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for(request.user, pk)
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("请填写投诉主题。"))
    complaint = services.complaint_open(case=case, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    messages.success(request, _("已创建投诉案例 %(number)s。") % {"number": complaint.number})
    return redirect("case_detail", complaint.pk)


# --- the hotline screen -------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """来电弹屏: `/intake?phone=…` as a telephony system opens it on a ring. One submit opens the
    case, accepted by the operator (who took the call and so owns it)."""
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=request.user,  # type: ignore[arg-type]
                    channel=data["channel"], case_type=data["case_type"], subject=data["subject"],
                    description=data["description"],
                    reporter=services.Reporter(data["name"], data["phone"], data["email"] or "", data["qq"]),
                    serial=data["serial"], region=data["region"], faq_article=data["faq_article"],
                    # A call put through to a team waits in that team's queue; otherwise the operator owns it.
                    accept=not data["team"], team=data["team"],
                )
            except (Invalid, NotFound) as exc:
                field = exc.extra.get("field", "")
                name = {"reporter.phone": "phone", "reporter.email": "email", "reporter.qq": "qq",
                        "type": "case_type"}.get(str(field), str(field))
                form.add_error(name if name in form.fields else None, str(exc))
            else:
                messages.success(request, _("已创建案例 %(number)s。") % {"number": case.number})
                return redirect("case_detail", case.pk)
        status = 422
    else:
        team = request.GET.get("team", "").strip()
        form = IntakeForm(initial={"phone": request.GET.get("phone", ""), "serial": request.GET.get("serial", ""),
                                   "team": team})
        status = 200
        if team and not Team.objects.filter(key=team, active=True).exists():
            # A telephony system's unknown team: say so, and let the operator pick one.
            form = IntakeForm(initial={"phone": request.GET.get("phone", ""),
                                       "serial": request.GET.get("serial", "")})
            messages.warning(request, _("团队 %(team)s 不存在，请在表单中选择团队。") % {"team": team[:40]})
    return render(request, "cases/intake.html", {
        "form": form,
        # Caller recognition and FAQ suggestions come from the registry's callers and the FAQ app.
        "caller_panel_url": optional_url("caller_panel"),
        "faq_suggest_url": optional_url("faq_suggest"),
    }, status=status)
