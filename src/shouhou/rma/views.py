"""Staff pages of service orders: queue, service form on a dealer's behalf, review and the
order page with one form per allowed event, receiving desk, documents.

The dealer portal (`views_portal`) reuses the helpers here with the dealer's role; every read
goes through the dealer scoping layer, so a dealer reaching a shared helper sees only its own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhou.core.access import staff_required
from shouhou.core.errors import message as error_message
from shouhou.core.http import AuthenticatedHttpRequest
from shouhou.core.scoping import get_for
from shouhou.domain import rma
from shouhou.domain.errors import Forbidden, IllegalEvent, Invalid, NotFound, StaleVersion
from shouhou.domain.reports import parse_date
from shouhou.notify import selectors as notify_selectors
from shouhou.registry.models import Dealer, ProductModel
from shouhou.rma import (
    documents,
    policy,
    selectors_ui,
    services,
    services_forms,
    topology_uploads,
    tracking_sheets,
    views_receipts,
    xlsx_form,
)
from shouhou.rma.forms import (
    DAMAGE_LABELS,
    EVENT_FORMS,
    EVENT_LABELS,
    LineForm,
    OrderForm,
    event_form,
    line_formset,
    lines_of,
)
from shouhou.rma.models import (
    DRAFT,
    DeadlineRecord,
    LineAttachment,
    LinePath,
    LineState,
    OrderLine,
    OrderSource,
    Quote,
    ServiceOrder,
    TrackingSheet,
)
from shouhou.rma.policy import work_calendar
from shouhou.rma.selectors import line_get_for, order_get_for, sheet_get_for, viewer_role

PAGE_SIZE = 50


VERB_LABELS = {"order.submitted": _lazy("提交服务单"), "order.draft_saved": _lazy("保存草稿"),
               "line.attachment_added": _lazy("上传附件"),
               "mail.reply_received": _lazy("收到邮件"), "mail.order_drafted": _lazy("邮件服务单生成草稿")}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))


# --- the staff queue -----------------------------------------------------------------------------

QUEUE_FILTERS = ("state", "path", "overdue", "dealer", "model", "q", "due", "from", "to", "by", "region")
QUEUE_BY = {"": _lazy("报修日期"), "shipped": _lazy("发货日期"), "due": _lazy("期限到期日")}


def _queue_lines(request: HttpRequest, now: datetime, cal: Any) -> tuple[Any, dict[str, str], str]:
    """The queue's lines for the request's filters (the page and its export), the filters kept,
    and a message for a filter that was dropped."""
    params = {k: request.GET.get(k, "").strip() for k in QUEUE_FILTERS if request.GET.get(k, "").strip()}
    overdue = params.get("overdue", "")
    # The period a report's bar stands for (`from`/`to`, by report, shipment or due date).
    dates: dict[str, date | None] = {"from": None, "to": None}
    error = ""
    for key in dates:
        if params.get(key):
            try:
                dates[key] = parse_date(params[key], key)
            except Invalid:
                error = _("日期格式应为 YYYY-MM-DD，例如 2025-11-30。")
                params.pop(key)
    if params.get("by", "") not in QUEUE_BY:
        params.pop("by")
    if not (params.get("region", "").isdigit() and len(params.get("region", "")) == 6):
        params.pop("region", None)
    lines = selectors_ui.line_search(request.user, state=params.get("state", ""), path=params.get("path", ""),
                                     overdue=overdue if overdue in ("vendor", "dealer") else overdue == "1",
                                     dealer=params.get("dealer", ""), model=params.get("model", ""),
                                     q=params.get("q", ""), due=params.get("due", ""), now=now, cal=cal,
                                     first=dates["from"], last=dates["to"], by=params.get("by", ""),
                                     region=params.get("region", ""))
    return lines, params, error


@staff_required
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    now, cal = timezone.now(), work_calendar()
    lines, params, error = _queue_lines(request, now, cal)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors_ui.line_rows(list(page.object_list), role="staff", now=now, cal=cal)
    return render(request, "rma/queue.html", {
        "page": page, "rows": rows, "params": params, "query": urlencode(params), "error": error,
        "period_by": QUEUE_BY.get(params.get("by", ""), ""),
        "states": [c for c in LineState.choices if c[0] != DRAFT], "paths": LinePath.choices,
        "dealers": Dealer.objects.only("code", "name").order_by("code"),
        "models": ProductModel.objects.only("code", "name").order_by("code"),
    })


@staff_required
@require_GET
def queue_export(request: HttpRequest) -> HttpResponse:
    """Every line of the queue with its filters, as xlsx: streamed from a temp file, formula-safe."""
    from shouhou.core.sheets import xlsx_response
    from shouhou.reports.views import line_rows
    from shouhou.reports.xlsx import write_xlsx

    now, cal = timezone.now(), work_calendar()
    lines, _params, _error = _queue_lines(request, now, cal)
    headers = [_("RMA 单号"), _("代理商代码"), _("代理商"), _("序列号"), _("型号"), _("状态"), _("处理方式"),
               _("报修时间"), _("待谁处理"), _("期限")]
    path = write_xlsx(sheet=_("服务单队列"), headers=headers, rows=line_rows(lines, now=now, overdue=True))
    return xlsx_response(path, f"rma-queue-{cal.local(now):%Y%m%d-%H%M}.xlsx")


# --- the service form (shared with the portal) ---------------------------------------------------


def _kept_topology(order: ServiceOrder | None) -> dict[str, Any]:
    if order is None:
        return {}
    return {ln.serial: ln.topology for ln in order.lines.all() if ln.serial and ln.topology}


def order_form_page(request: AuthenticatedHttpRequest, *, dealer: Dealer | None, draft: ServiceOrder | None,
                    portal: bool, case_number: str = "", line: dict[str, str] | None = None) -> HttpResponse:
    """The service form: GET shows it (a draft's values, or the dealer's details); POST with
    `action=draft` saves a draft, anything else submits. Errors are listed per line."""
    staff = not portal
    if request.method == "POST":
        form = OrderForm(request.POST, staff=staff and draft is None)
        data = request.POST.copy()  # a refused form is shown again with the tokens of its kept diagrams
        formset = line_formset(data, request.FILES)
        submit = request.POST.get("action") != "draft"
        if form.is_valid() and formset.is_valid():
            dealer = form.cleaned_data.get("dealer") or dealer
            kept_uploads = topology_uploads.take_kept(formset, user=request.user)
            errors = form.missing() if submit else ([] if dealer else [_("请选择代理商")])
            lines, line_errors = lines_of(formset, dealer=dealer, kept_topology=_kept_topology(draft), submit=submit)
            errors += line_errors
            if not errors and dealer is not None:
                header = {k: form.cleaned_data.get(k) or "" for k in
                          ("contact_name", "contact_phone", "contact_email", "return_address")}
                source = (draft.source if draft is not None else OrderSource.WEB if portal else OrderSource.STAFF)
                try:
                    if submit:
                        order = services.order_submit(
                            dealer=dealer, actor=request.user, lines=lines, draft=draft,
                            case_number=form.cleaned_data.get("case_number") or "", source=source, **header)
                        messages.success(request, _("服务单已提交，等待售后服务中心审核。"))
                    else:
                        order = services.order_save_draft(dealer=dealer, actor=request.user, order=draft,
                                                          lines=lines, source=source, **header)
                        messages.success(request, _("草稿已保存。"))
                except Invalid as exc:
                    errors = list(exc.extra.get("errors") or [error_message(exc)])
                else:
                    topology_uploads.uploads_discard(kept_uploads)
                    name = "portal_order" if portal else "rma_order"
                    return redirect(reverse(name, args=[order.pk]))
        else:
            errors = [_("表单填写有误，请检查标红的字段。")]
        # The browser forgets the files chosen: keep the good ones for the next submit.
        topology_uploads.keep_for_form(formset, data, request.FILES, user=request.user)
        status = 422
    else:
        errors, status = [], 200
        if draft is not None:
            form = OrderForm(initial={"contact_name": draft.contact_name, "contact_phone": draft.contact_phone,
                                      "contact_email": draft.contact_email, "return_address": draft.return_address,
                                      "case_number": draft.case.number if draft.case else ""}, staff=False)
            initial = [{"serial": ln.serial, "fault": ln.fault, "advance_requested": ln.advance_requested,
                        "advance_reason": ln.advance_reason} for ln in draft.lines.all()]
            formset = line_formset(initial=initial)
        else:
            initial = {"case_number": case_number}
            if dealer is not None:
                initial.update({"dealer": dealer.code, "contact_name": dealer.contact_name,
                                "contact_phone": dealer.phone or dealer.mobile, "contact_email": dealer.email,
                                "return_address": dealer.address})
            form = OrderForm(initial=initial, staff=staff)
            formset = line_formset(initial=[line] if line else None)
    return render(request, "rma/order_form.html", {
        "form": form, "formset": formset, "errors": errors, "dealer": dealer, "draft": draft, "portal": portal,
        "kept": _kept_topology(draft),
        "line_row_url": reverse("portal_order_line_row" if portal else "rma_order_line_row"),
        "template_url": reverse("portal_order_template") if portal else (
            reverse("rma_order_template") + (f"?dealer={dealer.code}" if dealer else "")),
    }, status=status)


def line_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One more blank line of the formset (htmx); the TOTAL_FORMS input is swapped out of band."""
    try:
        index = max(0, min(int(request.GET.get("lines-TOTAL_FORMS", "3")), 49))
    except ValueError:
        index = 3
    form = LineForm(prefix=f"lines-{index}")
    return render(request, "rma/order_form.html#line-row", {"line_form": form, "row": index + 1, "total": index + 1,
                                                             "oob": True})


@staff_required
@require_http_methods(["GET", "POST"])
def order_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = request.GET.get("dealer", "").strip()
    dealer = Dealer.objects.filter(code=code).first() if code else None
    if code and dealer is None:
        raise NotFound(_("没有找到代理商 %(code)s。") % {"code": code})
    # "Open service form from this case" carries the case's unit and findings in (cases app).
    line = {k: request.GET[k].strip() for k in ("serial", "fault") if request.GET.get(k, "").strip()}
    return order_form_page(request, dealer=dealer, draft=None, portal=False,
                           case_number=request.GET.get("case", "").strip()[:32], line=line or None)


@staff_required
@require_GET
def order_line_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    return line_row(request)


def draft_for(user: Any, pk: int) -> ServiceOrder:
    order = get_for(user, ServiceOrder.objects.select_related("dealer"), pk=pk)
    if not order.is_draft:
        raise NotFound(_("该服务单已提交，不能再修改。"))
    return order


@staff_required
@require_http_methods(["GET", "POST"])
def order_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    draft = draft_for(request.user, pk)
    return order_form_page(request, dealer=draft.dealer, draft=draft, portal=False)


# --- the order page -------------------------------------------------------------------------------


def order_context(request: AuthenticatedHttpRequest, order: ServiceOrder, *, portal: bool,
                  bound: dict[tuple[int, str], Any] | None = None) -> dict[str, Any]:
    """Everything the order page shows, for staff or for the order's dealer."""
    role = viewer_role(request.user)
    now, cal = timezone.now(), work_calendar()
    lines = list(order.lines.select_related("unit__product_model", "replacement_unit", "receipt")
                 .prefetch_related("deadlines", Prefetch("quotes", Quote.objects.select_related("policy_version")),
                                   "shipments", "repairs__technician", "attachments", "charges",
                                   Prefetch("tracking_sheets", TrackingSheet.objects.defer("pdf"))))
    damage_labels = {**DAMAGE_LABELS, **policy.damage_labels()}
    rows = selectors_ui.line_rows(lines, role=role, now=now, cal=cal)
    history = {} if portal else selectors_ui.unit_history(order, lines)
    docs = notify_selectors.documents_of("rma.orderline", [line.pk for line in lines])
    bound = bound or {}
    for row in rows:
        row.extra["forms"] = [
            {"event": ev, "label": event_label(ev),
             "form": bound.get((row.line.pk, ev)) or event_form(ev, row.line)}
            for ev in row.allowed if ev != "receive" or not portal
        ]
        row.extra["history"] = history.get(row.line.unit_id, [])
        row.extra["damage"] = [damage_labels.get(d, d) for d in row.line.damage or ()]
        row.extra["documents"] = [d for d in docs if d.object_id == str(row.line.pk)]
        # Newest first; the first is offered as the sheet, the others listed as earlier versions.
        row.extra["sheets"] = list(row.line.tracking_sheets.all())
        row.extra["sheet"] = bool(row.extra["sheets"]) or tracking_sheets.sheet_exists_for(row.line)
    timeline = list(selectors_ui.order_timeline(request.user, order, lines))
    for row in rows:
        row.extra["components"] = row.line.components
        row.extra["deadlines"] = [(d, _deadline_status(d, now)) for d in row.line.deadlines.all()]
    states = dict(LineState.choices)
    positions = {str(ln.pk): ln.position for ln in lines}
    line_type = OrderLine._meta.label_lower
    for e in timeline:
        verb = e.verb.removeprefix("line.")
        e.label = event_label(verb) if verb in EVENT_LABELS else VERB_LABELS.get(e.verb, e.verb)
        e.state_label = states.get((e.data or {}).get("state", ""), "")
        # Which unit of the form, and when the step happened (its `at`), not when it was entered.
        e.line_no = positions.get(e.object_id) if e.object_type == line_type else None
        e.happened_at = _when(e)
    return {"order": order, "rows": rows, "timeline": timeline, "portal": portal, "now": now,
            "authorised": order.number is not None}


def _deadline_status(record: DeadlineRecord, now: datetime) -> str:
    """"on_time" / "late" once met; while open, "overdue" past its due time, else "open"."""
    if record.late is not None:
        return "late" if record.late else "on_time"
    return "overdue" if record.due_at < now else "open"


def _when(event: Any) -> datetime:
    data = event.data or {}
    raw = data.get("at") or data.get("submitted_at")  # a step's own time; a form's submission time
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    return event.at


@staff_required
@require_GET
def order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = order_get_for(request.user, pk)
    return render(request, "rma/order_detail.html", order_context(request, order, portal=False))


def conflict(request: AuthenticatedHttpRequest, *, message: str, allowed: list[str], back: str) -> HttpResponse:
    return render(request, "rma/conflict.html", {
        "message": message, "allowed": [event_label(e) for e in allowed], "back": back}, status=409)


def apply_event(request: AuthenticatedHttpRequest, pk: int, line_id: int, event: str, *, portal: bool) -> HttpResponse:
    """POST one event's form for a line: validate, call `line_apply`, go back to the order page.

    A stale version or an event the state no longer allows answers 409 with a page that says
    so (and which events are allowed now); bad fields re-show the page with the form's errors.
    """
    line = line_get_for(request.user, order_id=pk, line_id=line_id)
    if event not in EVENT_FORMS:
        raise NotFound(_("没有这个操作。"))
    role = viewer_role(request.user)
    if line.is_draft:
        raise IllegalEvent(_("服务单尚未提交。"), allowed=[])
    if not rma.actor_may(role, event, state=line.state) or (portal and event == "receive"):
        raise Forbidden(_("您不能执行此操作（%(event)s）。") % {"event": event_label(event)})
    back = reverse("portal_order" if portal else "rma_order", args=[pk]) + f"#line-{line.pk}"
    form = event_form(event, line, request.POST, request.FILES)
    problem = ""
    if form.is_valid():
        try:
            if event == "receive":
                services_forms.line_receive(line=line, actor=request.user, version=form.cleaned_data["version"],
                                            condition=form.cleaned_data.get("condition", ""),
                                            photo=form.cleaned_data.get("photo"))
            else:
                services.line_apply(line=line, event=event, actor=request.user,
                                    version=form.cleaned_data["version"], fields=form.fields_for_event())
        except StaleVersion:
            return conflict(request, message=_("该记录已被他人修改，请刷新后重试。"), allowed=[], back=back)
        except IllegalEvent as exc:
            allowed = [e for e in exc.allowed if rma.actor_may(role, e, state=line.state)]
            message = _("当前状态（%(state)s）不能执行“%(event)s”。") % {
                "state": line.get_state_display(), "event": event_label(event)}
            return conflict(request, message=message, allowed=allowed, back=back)
        except Invalid as exc:
            problem = error_message(exc)
        else:
            messages.success(request, _("已完成：%(event)s。") % {"event": event_label(event)})
            return redirect(back)
    if problem:
        form.add_error(None, problem)
    order = order_get_for(request.user, pk)
    template = "portal/order_detail.html" if portal else "rma/order_detail.html"
    context = order_context(request, order, portal=portal, bound={(line.pk, event): form})
    context["open_form"] = (line.pk, event)
    return render(request, template, context, status=422)


@staff_required
@require_POST
def line_event(request: AuthenticatedHttpRequest, pk: int, line_id: int, event: str) -> HttpResponse:
    return apply_event(request, pk, line_id, event, portal=False)


# --- files ----------------------------------------------------------------------------------------


def document_response(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """A PDF of the order (return authorisation) or of one of its lines (`?line=ID`).

    The stored one (attached to the notice) when there is one, else rendered now; the repair
    tracking sheet is always rendered as its line stands.
    """
    if kind not in documents.KINDS:
        raise NotFound(_("没有这种文档。"))
    order = order_get_for(request.user, pk)
    if kind == "return_authorisation" and order.number is None:
        raise NotFound(_("服务单尚未审核通过。"))
    target: OrderLine | ServiceOrder = order
    line_id = request.GET.get("line", "")
    if kind != "return_authorisation":
        if not line_id.isdigit():
            raise NotFound(_("没有找到该记录。"))
        target = line_get_for(request.user, order_id=pk, line_id=int(line_id))
    if kind == "repair_tracking_sheet":
        assert isinstance(target, OrderLine)  # noqa: S101  (narrows the type: line_get_for returns a line)
        # The sheet follows its line (receipt, findings, shipments...): the latest version,
        # rendered now if the worker has not caught up with the line's last move.
        sheet = tracking_sheets.sheet_current(line_id=target.pk) if not target.is_draft else None
        if sheet is None:
            raise NotFound(_("返修件尚未签收，还没有返修跟踪单。"))
        return _sheet_file(target, sheet)
    line_ids = [target.pk] if isinstance(target, OrderLine) else list(order.lines.values_list("pk", flat=True))
    name = documents.filename(kind, target)
    # A quote or a return authorisation is what was sent.
    note = next((e for e in notify_selectors.documents_of("rma.orderline", line_ids) if e.document == kind), None)
    if note is not None:
        try:
            return FileResponse(note.attachment.open("rb"), content_type="application/pdf", filename=name,
                                as_attachment=True)
        except OSError:
            pass
    response = HttpResponse(documents.render(kind, target), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _sheet_file(line: OrderLine, sheet: TrackingSheet) -> HttpResponse:
    response = HttpResponse(bytes(sheet.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.sheet_filename(line, sheet.version)}"'
    response["ETag"] = f'"{sheet.checksum}"'
    return response


def sheet_response(request: HttpRequest, pk: int, line_id: int, version: int) -> HttpResponse:
    """One stored version of a line's 返修跟踪单, as it was rendered (older ones stay as they were)."""
    sheet = sheet_get_for(request.user, order_id=pk, line_id=line_id, version=version)
    return _sheet_file(sheet.line, sheet)


def line_file_response(request: AuthenticatedHttpRequest, pk: int, line_id: int,
                       attachment_id: int | None) -> HttpResponseBase:
    line = line_get_for(request.user, order_id=pk, line_id=line_id)
    if attachment_id is None:
        field = line.topology
    else:
        field = get_for(request.user, LineAttachment, pk=attachment_id, line=line).file
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), filename=field.name.rsplit("/", 1)[-1])


@staff_required
@require_GET
def order_document(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponseBase:
    return document_response(request, pk, kind)


@staff_required
@require_GET
def line_sheet(request: HttpRequest, pk: int, line_id: int, version: int) -> HttpResponse:
    return sheet_response(request, pk, line_id, version)


@staff_required
@require_GET
def line_topology(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponseBase:
    return line_file_response(request, pk, line_id, None)


@staff_required
@require_GET
def line_attachment(request: AuthenticatedHttpRequest, pk: int, line_id: int, attachment_id: int) -> HttpResponseBase:
    return line_file_response(request, pk, line_id, attachment_id)


# --- receiving ------------------------------------------------------------------------------------


@staff_required
@require_GET
def receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The receiving desk: scan a serial (the scanner types it and presses Enter)."""
    serial = request.GET.get("serial", "").strip()[:64]
    now, cal = timezone.now(), work_calendar()
    context: dict[str, Any] = {"serial": serial, "today": selectors_ui.received_today(request.user, now=now, cal=cal)}
    status = 200
    if serial:
        line = selectors_ui.receivable_line(request.user, serial)
        if line is None:
            waiting = selectors_ui.receipt_waiting_for_serial(request.user, serial)
            if waiting is not None:
                context["waiting"] = waiting
            else:
                context["refused"] = _("序列号 %(serial)s 没有待签收的已授权服务单，不能签收。") % {"serial": serial}
                # The parcel is here anyway: log it as an unannounced receipt (DESIGN §2).
                context["unannounced"] = views_receipts.unannounced_form(serial)
            status = 404
        else:
            context["line"] = line
            context["form"] = event_form("receive", line)
    if request.htmx:
        return render(request, "rma/receive.html#desk", context, status=status)
    return render(request, "rma/receive.html", context, status=status)


@staff_required
@require_POST
def receive_line(request: AuthenticatedHttpRequest, line_id: int) -> HttpResponse:
    line = get_for(request.user, OrderLine.objects.select_related("order", "order__dealer", "unit__product_model"),
                   pk=line_id)
    form = event_form("receive", line, request.POST, request.FILES)
    now, cal = timezone.now(), work_calendar()
    context: dict[str, Any] = {"serial": line.serial, "line": line, "form": form}
    if form.is_valid():
        try:
            services_forms.line_receive(line=line, actor=request.user, version=form.cleaned_data["version"],
                                        condition=form.cleaned_data.get("condition", ""),
                                        photo=form.cleaned_data.get("photo"))
        except StaleVersion:
            return conflict(request, message=_("该记录已被他人修改，请刷新后重试。"), allowed=[],
                            back=reverse("rma_receive"))
        except IllegalEvent:
            context = {"refused": _("序列号 %(serial)s 已签收或不在可签收状态。") % {"serial": line.serial}}
        except Invalid as exc:
            form.add_error(None, error_message(exc))
        else:
            context = {"received": line, "serial": ""}
            if not request.htmx:
                messages.success(request, _("已签收 %(serial)s。") % {"serial": line.serial})
                return redirect("rma_receive")
    context["today"] = selectors_ui.received_today(request.user, now=now, cal=cal)
    template = "rma/receive.html#desk" if request.htmx else "rma/receive.html"
    return render(request, template, context, status=200 if form.is_valid() else 422)


# --- the xlsx service form ------------------------------------------------------------------------


def _dealer_param(request: AuthenticatedHttpRequest) -> Dealer:
    code = (request.GET.get("dealer") or request.POST.get("dealer") or "").strip()
    dealer = Dealer.objects.filter(code=code).first() if code else None
    if dealer is None:
        raise NotFound(_("请用 ?dealer=代理商代码 指定代理商。"))
    return dealer


def template_response(dealer: Dealer) -> HttpResponse:
    response = HttpResponse(xlsx_form.template_bytes(dealer),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="service-form-{dealer.code}.xlsx"'
    return response


def upload_page(request: AuthenticatedHttpRequest, *, dealer: Dealer, portal: bool) -> HttpResponse:
    """Upload a filled template: a DRAFT order to review and submit, or every problem by row and column."""
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要上传的 Excel 文件。")]
        else:
            try:
                parsed = xlsx_form.parse(upload, size=upload.size, dealer=dealer)
            except ValueError as exc:
                errors = [str(exc)]
            else:
                errors = parsed.errors
                if not errors:
                    order = services.order_save_draft(dealer=dealer, actor=request.user, lines=parsed.lines,
                                                      source=OrderSource.XLSX, **parsed.header)
                    messages.success(request, _("已导入 %(n)s 台设备，请为每台设备上传配置拓扑图，核对后提交。")
                                     % {"n": len(parsed.lines)})
                    return redirect(reverse("portal_order_edit" if portal else "rma_order_edit", args=[order.pk]))
        status = 422
    return render(request, "rma/order_upload.html", {
        "dealer": dealer, "errors": errors, "portal": portal,
        "template_url": reverse("portal_order_template") if portal
        else reverse("rma_order_template") + f"?dealer={dealer.code}",
    }, status=status)


@staff_required
@require_GET
def order_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return template_response(_dealer_param(request))


@staff_required
@require_http_methods(["GET", "POST"])
def order_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    return upload_page(request, dealer=_dealer_param(request), portal=False)
