"""Staff administration in the app, for admins: users (staff and dealer accounts), roles, API
tokens and login lockouts; and the readable audit log with its export (managers and admins).

Every change goes through a service in ``shouhou.core.services`` and writes one audit event.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from shouhou.core import audit_text, services
from shouhou.core.access import role_required
from shouhou.core.forms import AuditFilterForm, TokenForm, UserForm
from shouhou.core.models import ApiToken, AuditEvent, User
from shouhou.core.roles import AUDIT_READERS, STAFF_ROLES, Role
from shouhou.core.sheets import xlsx_row
from shouhou.notify.views import OutboxPasswordResetForm
from shouhou.registry.models import Dealer
from shouhou.workdays import clock
from shouhou.workdays.selectors import calendar_tz

admin_required = role_required(Role.ADMIN)
PAGE_SIZE = 30
AUDIT_PAGE_SIZE = 50
EXPORT_LIMIT = 50_000

ROLE_NOTES: dict[str, Any] = {
    Role.CUSTOMER_SERVICE: gettext_lazy("登记热线、QQ 与邮件咨询，首问负责到底，查找代理商。"),
    Role.SUPPORT_ENGINEER: gettext_lazy("用常见问题与检查单分诊，记录诊断，开具返修单。"),
    Role.SERVICE_CENTER: gettext_lazy("审核售后服务单，收货、检测、报价、维修、换货、发货。"),
    Role.MANAGER: gettext_lazy("看板与报表，工作日日历，审计日志。"),
    Role.ADMIN: gettext_lazy("以上全部，另管理用户、角色、API 令牌与登录锁定，进入系统后台。"),
    Role.DEALER: gettext_lazy("代理商门户：保修查询、提交售后服务单、确认报价；只看本代理商的数据。"),
    Role.INTEGRATION: gettext_lazy("系统对接账号（云管理平台）：只用 API 令牌，不登录页面。"),
}


# --- users ------------------------------------------------------------------------------------
def _user_rows(users: Iterable[User]) -> list[dict[str, Any]]:
    role_labels = dict(Role.choices)
    rows = []
    for user in users:
        role = next((r for r in Role.values if r in {g.name for g in user.groups.all()}), "")
        rows.append({"user": user, "role": role, "role_label": role_labels.get(role, "—"),
                     "last_login": clock.localtime(user.last_login) if user.last_login else None})
    return rows


@admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    qs = User.objects.select_related("dealer").prefetch_related("groups").order_by("username")
    q = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    dealer = request.GET.get("dealer", "").strip()[:32]
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q)
                       | Q(phone__icontains=q))
    if role in Role.values:
        qs = qs.filter(groups__name=role)
    if role == "staff":
        qs = qs.filter(dealer__isnull=True).filter(Q(is_superuser=True) | Q(groups__name__in=STAFF_ROLES)).distinct()
    if dealer:
        qs = qs.filter(dealer__code=dealer)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/staff_users.html", {
        "page": page, "rows": _user_rows(page.object_list), "q": q, "role": role, "dealer": dealer,
        "status": status, "roles": Role.choices, "dealers": Dealer.objects.order_by("code").only("code", "name"),
    })


@admin_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, initial={"role": request.GET.get("role", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dealer = data["dealer"]
        user = services.user_create(username=data["username"], role=data["role"], email=data["email"],
                                    name=data["name"], phone=data["phone"],
                                    dealer_code=dealer.code if dealer else None, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("已创建用户 %(name)s。可在下方发送设置密码链接。") % {"name": user.username})
        return redirect("staff_user", pk=user.pk)
    return render(request, "core/staff_user_form.html", {"form": form, "target": None})


@admin_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.select_related("dealer"), pk=pk)
    initial = {"username": target.username, "name": target.name, "email": target.email, "phone": target.phone,
               "role": services.user_role(target), "dealer": target.dealer}
    form = UserForm(request.POST or None, instance=target, actor=request.user, initial=initial)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_update(user=target, actor=request.user, name=data["name"], email=data["email"],  # type: ignore[arg-type]
                             phone=data["phone"], role=data["role"], dealer=data["dealer"])
        messages.success(request, _("已保存 %(name)s。") % {"name": target.username})
        return redirect("staff_user", pk=target.pk)
    tokens = ApiToken.objects.filter(user=target).order_by("-created_at")
    history = AuditEvent.objects.filter(object_type="core.user", object_id=str(target.pk)).select_related("actor")[:20]
    return render(request, "core/staff_user_form.html", {
        "form": form, "target": target, "tokens": _token_rows(tokens), "history": _event_rows(history),
    })


@admin_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    if not active and target.pk == request.user.pk:
        messages.error(request, _("不能停用自己的账号。"))
        return redirect("staff_user", pk=target.pk)
    services.user_set_active(user=target, actor=request.user, active=active)  # type: ignore[arg-type]
    if active:
        messages.success(request, _("已启用 %(name)s。") % {"name": target.username})
    else:
        messages.success(request, _("已停用 %(name)s：该账号不能再登录，其 API 令牌也随之失效。") % {
            "name": target.username})
    return redirect("staff_user", pk=target.pk)


@admin_required
@require_POST
def user_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    if not target.email or not target.is_active:
        messages.error(request, _("该用户没有邮箱地址或已停用，无法发送重置密码链接。"))
        return redirect("staff_user", pk=target.pk)

    def send(user: User) -> None:
        context = {"user": user, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                   "token": default_token_generator.make_token(user),
                   "protocol": "https" if request.is_secure() else "http", "domain": request.get_host()}
        OutboxPasswordResetForm().send_mail("", "", context, None, user.email)

    services.user_password_reset_send(user=target, actor=request.user, send=send)  # type: ignore[arg-type]
    messages.success(request, _("已向 %(email)s 发送重置密码链接。") % {"email": target.email})
    return redirect("staff_user", pk=target.pk)


# --- roles ------------------------------------------------------------------------------------
@admin_required
@require_GET
def roles(request: HttpRequest) -> HttpResponse:
    counts = dict(User.objects.filter(is_active=True).values_list("groups__name").annotate(n=Count("id")))
    rows = [{"value": value, "label": label, "note": ROLE_NOTES.get(value, ""), "count": counts.get(value, 0),
             "staff": value in STAFF_ROLES, "audit": value in AUDIT_READERS} for value, label in Role.choices]
    return render(request, "core/staff_roles.html", {"rows": rows})


# --- API tokens -------------------------------------------------------------------------------
def _token_rows(tokens: Iterable[ApiToken]) -> list[dict[str, Any]]:
    return [{"token": t, "created_at": clock.localtime(t.created_at),
             "last_used_at": clock.localtime(t.last_used_at) if t.last_used_at else None,
             "revoked_at": clock.localtime(t.revoked_at) if t.revoked_at else None} for t in tokens]


@admin_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, initial={"user": request.GET.get("user")})
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.token_create_for(user=form.cleaned_data["user"], name=form.cleaned_data["name"],
                                               actor=request.user)  # type: ignore[arg-type]
        form = TokenForm()
    qs = ApiToken.objects.select_related("user", "user__dealer").order_by("revoked_at", "-created_at")
    show = request.GET.get("show", "active")
    if show == "active":
        qs = qs.filter(revoked_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "core/staff_tokens.html", {
        "form": form, "raw": raw, "page": page, "rows": _token_rows(page.object_list), "show": show})
    if raw:
        response["Cache-Control"] = "no-store"  # the token is shown this once
    return response


@admin_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if token.revoked_at is None:
        services.token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("已吊销令牌 %(prefix)s…。") % {"prefix": token.prefix})
    return redirect("staff_tokens")


# --- login lockouts ---------------------------------------------------------------------------
@admin_required
@require_GET
def lockouts(request: HttpRequest) -> HttpResponse:
    limit = settings.AXES_FAILURE_LIMIT
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    attempts = (AccessAttempt.objects.values("username", "ip_address")
                .annotate(failures=Max("failures_since_start"), last=Max("attempt_time"))
                .order_by("-last"))
    rows = []
    for a in attempts[:500]:
        locked = a["failures"] >= limit
        rows.append({**a, "locked": locked, "last": clock.localtime(a["last"]),
                     "until": clock.localtime(a["last"] + cooloff) if locked else None})
    return render(request, "core/staff_lockouts.html", {"rows": rows, "limit": limit,
                                                         "minutes": int(cooloff.total_seconds() // 60)})


@admin_required
@require_POST
def lockout_clear(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()[:255] or None
    ip_address = request.POST.get("ip_address", "").strip()[:45] or None
    if username is None and ip_address is None:
        messages.error(request, _("请指定要解锁的用户名或地址。"))
        return redirect("staff_lockouts")
    count = services.lockout_clear(username=username, ip_address=ip_address, actor=request.user)  # type: ignore[arg-type]
    if count:
        who = " / ".join(filter(None, [username, ip_address]))
        messages.success(request, _("已解除锁定：%(who)s。") % {"who": who})
    else:
        messages.info(request, _("没有这条登录锁定记录（可能已自动解除）。"))
    return redirect("staff_lockouts")


# --- audit log --------------------------------------------------------------------------------
def _event_rows(events: Any) -> list[dict[str, Any]]:
    return [{"event": e, "at": clock.localtime(e.at), "actor": e.actor_label or (str(e.actor) if e.actor else "—"),
             "verb": audit_text.verb_label(e.verb), "object": audit_text.object_label(e.object_type),
             "changes": audit_text.changes(e.data or {})} for e in events]


def _filtered_events(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        tz = calendar_tz()
        if data["actor"]:
            events = events.filter(Q(actor_label__icontains=data["actor"]) | Q(actor__username=data["actor"]))
        if data["verb"]:
            events = events.filter(verb__startswith=data["verb"])
        if data["type"]:
            events = events.filter(object_type=data["type"])
        if data["object"]:
            events = events.filter(object_id=data["object"])
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data["until"]:
            events = events.filter(at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz))
    elif form.is_bound:
        events = events.none()
    return form, events


@role_required(Role.MANAGER, Role.ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form, events = _filtered_events(request)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    types = sorted(set(AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()))
    verbs = sorted(set(AuditEvent.objects.order_by().values_list("verb", flat=True).distinct()))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "rows": _event_rows(page.object_list),
        "types": [(t, audit_text.object_label(t)) for t in types],
        "verbs": [(v, audit_text.verb_label(v)) for v in verbs], "query": query.urlencode(),
    })


@role_required(Role.MANAGER, Role.ADMIN)
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    _form, events = _filtered_events(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    ws.append(xlsx_row(ws, [_("时间"), _("操作人"), _("动作"), _("对象"), _("对象类型"), _("对象编号"), _("变更")]))
    for row in _event_rows(events[:EXPORT_LIMIT]):
        e = row["event"]
        text = "\n".join(f"{c.label}：{c.before} → {c.after}" if c.before is not None else f"{c.label}：{c.after}"
                         for c in row["changes"])
        ws.append(xlsx_row(ws, [row["at"].strftime("%Y-%m-%d %H:%M:%S"), row["actor"], row["verb"], row["object"],
                                e.object_type, e.object_id, text]))
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="audit-{clock.today().isoformat()}.xlsx"'
    return response
