"""Inbound mail on the staff dashboard: messages waiting for someone, and today's intake, in one query."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from shouhou.core.dashboard import Panel
from shouhou.core.scoping import scoped
from shouhou.mail.models import InboundMessage, InboundStatus
from shouhou.rma.policy import work_calendar


def panel(user: Any, now: datetime) -> Panel | None:
    if not getattr(user, "is_vendor_staff", False):
        return None
    day_start = now.astimezone(work_calendar().tz).replace(hour=0, minute=0, second=0, microsecond=0)
    figures = scoped(user, InboundMessage).aggregate(
        unmatched=Count("id", filter=Q(status=InboundStatus.UNMATCHED)),
        form_refused=Count("id", filter=Q(status=InboundStatus.FORM_REFUSED)),
        today=Count("id", filter=Q(received_at__gte=day_start)),
    )
    log = reverse("mail_inbound_log")
    cards = [
        {"key": "unmatched", "label": InboundStatus.UNMATCHED.label, "value": figures["unmatched"],
         "url": f"{log}?{urlencode({'status': InboundStatus.UNMATCHED})}", "alert": figures["unmatched"] > 0},
        {"key": "form_refused", "label": InboundStatus.FORM_REFUSED.label, "value": figures["form_refused"],
         "url": f"{log}?{urlencode({'status': InboundStatus.FORM_REFUSED})}", "alert": False},
        {"key": "today", "label": None, "value": figures["today"], "url": log, "alert": False},
    ]
    return Panel("mail/dashboard_panel.html", {"cards": cards})
