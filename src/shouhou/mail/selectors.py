"""Reads of inbound mail, through the dealer-scoping layer (staff see every message)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shouhou.core.scoping import get_for, scoped
from shouhou.mail.models import InboundMessage


def inbound_list(user: Any, *, status: str = "", q: str = "") -> QuerySet[InboundMessage]:
    """The inbound log USER may see, newest first, without the raw bytes."""
    qs = scoped(user, InboundMessage).select_related("order", "case", "dealer").defer("raw", "headers")
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(from_address__icontains=term) | Q(subject__icontains=term) | Q(message_id=term))
    return qs.order_by("-received_at", "-id")


def inbound_get_for(user: Any, pk: int) -> InboundMessage:
    """One message USER may see; raises NotFound otherwise."""
    return get_for(user, InboundMessage.objects.select_related("order", "case", "dealer", "handled_by"), pk=pk)
