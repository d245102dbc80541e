"""Reads of the outbox: inboxes, the outbox page, documents, a dealer's addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.scoping import scoped
from shouhou.notify.models import DEFAULT_LANGUAGE, Event, FailingAddress, Message, MessageState, Transport
from shouhou.notify.render import Rendered, overrides_for, path_for, render_message
from shouhou.notify.services import dealer_addresses
from shouhou.registry.models import Dealer


def inbox_for(user: Any) -> QuerySet[Message]:
    """USER's in-app messages: the dealer's for a dealer's user, their own for staff."""
    if getattr(user, "dealer_id", None) is not None:
        return scoped(user, Message).filter(transport=Transport.INBOX, user__isnull=True)
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(transport=Transport.INBOX, user=user)


def unread_count(user: Any) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


@dataclass
class InboxRow:
    message: Message
    rendered: Rendered
    link: str
    document_link: str


def inbox_rows(messages: list[Message]) -> list[InboxRow]:
    """Each message rendered in its recipient's language (the page shows a page of them)."""
    rows = []
    overrides = overrides_for({m.event.name for m in messages})
    for m in messages:
        key = "portal_document_url" if m.dealer_id is not None else "staff_document_url"
        document = (m.event.data or {}).get(key, "") if m.event.attachment or m.event.document else ""
        rows.append(InboxRow(m, render_message(m, overrides), path_for(m.event, m), document))
    return rows


def outbox(*, state: str = "", transport: str = "", q: str = "") -> QuerySet[Message]:
    qs = Message.objects.exclude(transport=Transport.INBOX).select_related("event", "channel", "dealer")
    if state in MessageState.values:
        qs = qs.filter(state=state)
    if transport in Transport.values:
        qs = qs.filter(transport=transport)
    if q:
        qs = qs.filter(address__icontains=q) | qs.filter(event__thread__icontains=q)
    return qs.order_by("-created_at", "-id")


def documents_of(object_type: str, object_ids: list[int]) -> list[Event]:
    """Events of these objects that carry a stored PDF, newest first."""
    return list(Event.objects.filter(object_type=object_type, object_id__in=[str(i) for i in object_ids])
                .exclude(attachment="").order_by("-created_at", "-id"))


@dataclass
class AddressRow:
    address: str
    source: str
    language: str
    failing: FailingAddress | None = None


def dealers_with_addresses(dealers: QuerySet[Dealer]) -> QuerySet[Dealer]:
    """DEALERS with what `address_rows` reads, in two extra queries for the whole page."""
    users = (User.objects.filter(is_active=True).exclude(email="").select_related("notify_preference")
             .order_by("username"))
    return dealers.select_related("notify_preference").prefetch_related(Prefetch("users", queryset=users))


def address_rows(dealers: list[Dealer]) -> dict[int, list[AddressRow]]:
    """Which addresses get mail for each dealer: its own (main and copies, on every dealer event)
    and its users' (only where a rule names "the dealer's users"), with their language and
    whether a bounce stopped them."""
    rows: dict[int, list[AddressRow]] = {}
    for dealer in dealers:
        pref = getattr(dealer, "notify_preference", None)
        lang = pref.language if pref else DEFAULT_LANGUAGE
        rows[dealer.pk] = [AddressRow(a, _("代理商邮箱"), lang) for a in dealer_addresses(dealer)]
        for user in dealer.users.all():
            upref = getattr(user, "notify_preference", None)
            rows[dealer.pk].append(AddressRow(user.email.strip().lower(), _("账号 %(name)s") % {"name": user.username},
                                              upref.language if upref else DEFAULT_LANGUAGE))
    every = [r.address for dealer_rows in rows.values() for r in dealer_rows]
    failing = {f.address: f for f in FailingAddress.objects.filter(address__in=every)}
    for dealer_rows in rows.values():
        for row in dealer_rows:
            row.failing = failing.get(row.address)
    return rows
