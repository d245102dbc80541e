"""The service orders' part of the dashboard: what needs doing and what slipped.

Vendor staff: open lines, due today, overdue (ours), waiting on dealers and the dealers' overdue,
awaiting review, received awaiting inspection, each a link into the queue; the ten most overdue
lines; and the share of our deadlines met on time over the last 30 days. One aggregate query on
the lines, one for the table, one on the deadline records.

Dealer users: what is waiting for them (ship to the centre, confirm a quote, confirm delivery,
return the faulty unit, complete the form, drafts) with links to the portal, in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shouhou.core.dashboard import Panel
from shouhou.core.scoping import scoped
from shouhou.domain import rma
from shouhou.rma.models import DRAFT, OPEN_STATES, DeadlineRecord, OrderLine, Party
from shouhou.rma.policy import work_calendar
from shouhou.rma.selectors_ui import end_of_day

S = rma.State
WAITING_ON_DEALER = (S.QUOTED.value, S.AWAITING_RETURN.value)  # the states with a dealer clock
LATE_ROWS = 10
RATE_DAYS = 30


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: int
    url: str
    alert: bool = False  # red: something is late


@dataclass(frozen=True)
class LateLine:
    line: OrderLine
    dealer_party: bool
    working_days: int


def _queue(**params: str) -> str:
    return reverse("rma_queue") + ("?" + urlencode(params) if params else "")


def staff_figures(user: Any, now: datetime) -> dict[str, Any]:
    cal = work_calendar()
    lines = scoped(user, OrderLine).filter(state__in=OPEN_STATES)
    figures = lines.aggregate(
        open=Count("pk"),
        due_today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=end_of_day(now, cal))),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        dealer_waiting=Count("pk", filter=Q(dealer_due_at__isnull=False)),
        dealer_overdue=Count("pk", filter=Q(dealer_due_at__lt=now)),
        review=Count("pk", filter=Q(state=S.SUBMITTED)),
        received=Count("pk", filter=Q(state=S.RECEIVED)),
    )
    today = cal.local(now).date()
    late = []
    for line in (lines.filter(Q(due_at__lt=now) | Q(dealer_due_at__lt=now))
                 .select_related("order__dealer").order_by(Coalesce("due_at", "dealer_due_at"), "id")[:LATE_ROWS]):
        due = line.due_at or line.dealer_due_at
        assert due is not None  # noqa: S101  (an invariant, for the type checker)
        late.append(LateLine(line, line.due_at is None, cal.working_days_between(cal.local(due).date(), today)))
    # Our deadlines that fell due in the window: met on time, or missed (met late or still open).
    deadlines = scoped(user, DeadlineRecord).filter(party=Party.VENDOR, due_at__gte=now - timedelta(days=RATE_DAYS),
                                                    due_at__lt=now)
    kept = deadlines.aggregate(met=Count("pk", filter=Q(late=False)),
                               missed=Count("pk", filter=Q(late=True) | Q(met_at__isnull=True)))
    total = kept["met"] + kept["missed"]
    f = figures
    cards = [
        Card("open", _("未完成的设备"), f["open"], _queue()),
        Card("due_today", _("今日到期"), f["due_today"], _queue(due="today")),
        Card("overdue", _("我方已超期"), f["overdue"], _queue(overdue="vendor"), f["overdue"] > 0),
        Card("review", _("待审核"), f["review"], _queue(state=S.SUBMITTED.value)),
        Card("received", _("已签收待检测"), f["received"], _queue(state=S.RECEIVED.value)),
        Card("dealer_waiting", _("等待代理商"), f["dealer_waiting"], _queue(state=",".join(WAITING_ON_DEALER))),
        Card("dealer_overdue", _("代理商已超期"), f["dealer_overdue"], _queue(overdue="dealer"),
             f["dealer_overdue"] > 0),
    ]
    return {
        "cards": cards, "late": late, "met": kept["met"], "missed": kept["missed"],
        "rate": round(100 * kept["met"] / total) if total else None, "rate_days": RATE_DAYS,
        "late_url": _queue(overdue="1"),
    }


DEALER_TODO = {
    "ship": (_lazy("待寄往售后中心"), (S.APPROVED.value,)),
    "quote": (_lazy("待确认报价"), (S.QUOTED.value,)),
    "delivery": (_lazy("待确认收货"), (S.SHIPPED.value, S.REPLACEMENT_SHIPPED.value)),
    "return": (_lazy("待寄回故障件"), (S.AWAITING_RETURN.value,)),
    "info": (_lazy("待补充资料"), (S.INFO_REQUESTED.value,)),
}


def dealer_figures(user: Any, now: datetime) -> dict[str, Any]:
    lines = scoped(user, OrderLine).filter(state__in=(*OPEN_STATES, DRAFT))
    counts = lines.aggregate(
        **{key: Count("pk", filter=Q(state__in=states)) for key, (_label, states) in DEALER_TODO.items()},
        overdue=Count("pk", filter=Q(dealer_due_at__lt=now)),
        open=Count("pk", filter=~Q(state=DRAFT)),
        drafts=Count("order", filter=Q(state=DRAFT), distinct=True),
    )
    todo = reverse("portal_home") + "#todo"
    home = reverse("portal_home")
    cards = [Card(key, str(label), counts[key], todo) for key, (label, _states) in DEALER_TODO.items()]
    cards += [Card("overdue", _("已超期"), counts["overdue"], todo, counts["overdue"] > 0),
              Card("open", _("处理中的设备"), counts["open"], home),
              Card("drafts", _("草稿"), counts["drafts"], home)]
    return {"cards": cards, "new_url": reverse("portal_order_new")}


def panel(user: Any, now: datetime) -> Panel | None:
    if user.is_vendor_staff:
        return Panel("rma/dashboard_staff.html", staff_figures(user, now))
    if getattr(user, "dealer_id", None) is not None:
        return Panel("rma/dashboard_dealer.html", dealer_figures(user, now))
    return None
