"""Pages of the outbox: inboxes (staff; the dealer portal's notices page uses `inbox_page`),
the unread badge, the outbox with resend, the per-dealer address list, and password reset by
email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from shouhou.core.access import role_required, staff_required
from shouhou.core.roles import Role
from shouhou.core.scoping import get_for
from shouhou.notify import selectors, services
from shouhou.notify.models import LANGUAGES, Message, MessageState, Preference, Transport
from shouhou.registry.models import Dealer

PAGE_SIZE = 30
outbox_required = role_required(Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def inbox_page(request: HttpRequest, *, template: str) -> HttpResponse:
    """A page of the signed-in user's inbox (their dealer's, for a dealer's user), newest first."""
    qs = selectors.inbox_for(request.user).select_related("event")
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    pref = Preference.objects.filter(Q(dealer_id=user.dealer_id) if user.dealer_id else Q(user=user)).first()  # type: ignore[union-attr]
    return render(request, template, {
        "page": page, "rows": selectors.inbox_rows(list(page.object_list)), "languages": LANGUAGES,
        "language": pref.language if pref else "zh-hans", "unread_only": bool(request.GET.get("unread"))})


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return inbox_page(request, template="notify/inbox.html")


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one message (`id`) or every message read; only the user's own inbox is touched."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    if raw and ids is None:
        return HttpResponse(_("参数无效。"), status=400)
    services.inbox_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    return _back(request, "notify_inbox")


@login_required
@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count, fetched by htmx after the page has loaded."""
    count = selectors.unread_count(request.user)
    url = "portal_notifications" if request.user.dealer_id else "notify_inbox"  # type: ignore[union-attr]
    return render(request, "notify/_unread.html", {"count": count, "url": url})


@login_required
@require_POST
def preference(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(LANGUAGES):
        messages.error(request, _("请选择简体中文或 English。"))
    else:
        services.preference_set(user=request.user, language=language)  # type: ignore[arg-type]
        messages.success(request, _("通知语言已保存。"))
    return _back(request, "notify_inbox")


@outbox_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    state, transport = request.GET.get("state", ""), request.GET.get("transport", "")
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.outbox(state=state, transport=transport, q=q), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notify/outbox.html", {
        "page": page, "state": state, "transport": transport, "q": q,
        "states": MessageState.choices, "transports": [c for c in Transport.choices if c[0] != Transport.INBOX]})


@outbox_required
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_for(request.user, Message.objects.exclude(transport=Transport.INBOX), pk=pk)
    services.message_resend(message=message, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已重新加入发送队列。"))
    return _back(request, "notify_outbox")


@staff_required
@require_GET
def addresses(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    dealers = Dealer.objects.order_by("code")
    if q:
        dealers = dealers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q)
                                 | Q(cc_emails__icontains=q) | Q(users__email__icontains=q)).distinct()
    page = Paginator(selectors.dealers_with_addresses(dealers), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.address_rows(list(page.object_list))
    return render(request, "notify/addresses.html", {
        "page": page, "q": q, "dealers": [(d, rows[d.pk]) for d in page.object_list]})


@role_required(Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN)
@require_POST
def address_clear(request: HttpRequest) -> HttpResponse:
    address = request.POST.get("address", "").strip()
    if not address or not services.address_clear_failing(address=address, actor=request.user):  # type: ignore[arg-type]
        messages.error(request, _("该地址不在退信名单中。"))
    else:
        messages.success(request, _("已恢复向 %(address)s 发送邮件。") % {"address": address})
    return _back(request, "notify_addresses")


# --- password reset by email ------------------------------------------------------------------


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail going through the outbox (retries, .eml, language)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from django.db import transaction
        from django.urls import reverse

        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        pref = Preference.objects.filter(user=user).first()
        with transaction.atomic():
            services.emit("account.password_reset",
                          data={"username": user.get_username(), "reset_url": f"{context['protocol']}://{context['domain']}{path}"},
                          addresses=[services.Address(to_email, pref.language if pref else "zh-hans")])


def _reset_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = render(request, "registration/password_reset_form.html",
                      {"form": OutboxPasswordResetForm(), "limited": True}, status=429)
    response["Retry-After"] = "3600"  # both limits below count per hour: at most an hour to wait
    return response


@method_decorator(ratelimit(key="ip", rate="5/h", method="POST", block=False), name="post")
@method_decorator(ratelimit(key="post:email", rate="3/h", method="POST", block=False), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if getattr(request, "limited", False):
            return _reset_limited(request, Exception())
        return super().post(request, *args, **kwargs)
