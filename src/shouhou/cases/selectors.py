"""Reads of service cases, always through the dealer scoping layer.

`case_view` is THE shape of a case for the API (DESIGN §6 CASE); `case_search` serves the
staff list, "my cases", the triage queue, the portal and the API list.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from shouhou.cases.models import DONE_STATUSES, OPEN_STATUSES, TRIAGE_TYPES, Case, Team
from shouhou.cases.policy import work_calendar
from shouhou.cases.services import actor_of
from shouhou.core.scoping import get_for, scoped
from shouhou.domain import cases as domain
from shouhou.domain.errors import Forbidden
from shouhou.domain.phones import phone_key
from shouhou.domain.regions import code_prefix
from shouhou.registry.models import normalize_serial

PHONE_LIKE = re.compile(r"[\d\s+()-]{5,}")
CASE_RELATED = ("team", "owner", "first_responder", "dealer", "about_dealer", "product_model", "unit", "faq_article")


def case_get_for(user: Any, pk: int) -> Case:
    """One case USER may see; raises NotFound (another dealer's, or a complaint, for dealers)."""
    return get_for(user, Case.objects.select_related(*CASE_RELATED, "related_case"), pk=pk)


TARGETS = ("first_response_met", "first_response_missed", "resolution_met", "resolution_missed")


def target_q(target: str, *, now: datetime) -> Q:
    """Cases whose first-response or resolution target was met, or missed (answered late, or not
    answered and past due at NOW): the reports count these, and the list behind them filters them."""
    if target == "first_response_met":
        return Q(first_responded_at__lte=F("first_response_due"))
    if target == "first_response_missed":
        return (Q(first_responded_at__gt=F("first_response_due"))
                | Q(first_responded_at__isnull=True, first_response_due__lt=now))
    if target == "resolution_met":
        return Q(resolved_at__lte=F("resolution_due"))
    if target == "resolution_missed":
        return Q(resolved_at__gt=F("resolution_due")) | Q(resolved_at__isnull=True, resolution_due__lt=now)
    return Q(pk__in=[])


def report_q(*, first: date | None = None, last: date | None = None, dealer: str = "", model: str = "",
             region: str = "", tz: Any) -> Q:
    """Cases opened from FIRST to LAST (local dates in TZ, both included) of a dealer, a product
    model and a purchase region (a province or city takes the codes within it): what a report's
    case figures count, so the list a bar opens is the same set."""
    q = Q()
    if first is not None:
        q &= Q(opened_at__gte=datetime.combine(first, time.min, tz))
    if last is not None:
        q &= Q(opened_at__lt=datetime.combine(last + timedelta(days=1), time.min, tz))
    if dealer:
        q &= Q(dealer__code=dealer)
    if model:
        q &= Q(product_model__code=model)
    if region:
        q &= Q(region_code__startswith=code_prefix(region))
    return q


def case_search(
    user: Any,
    *,
    status: str = "",
    channel: str = "",
    case_type: str = "",
    owner: str = "",
    overdue: bool = False,
    q: str = "",
    queue: str = "",
    team: str = "",
    first: date | None = None,
    last: date | None = None,
    dealer: str = "",
    model: str = "",
    region: str = "",
    target: str = "",
    now: datetime,
) -> QuerySet[Case]:
    """Cases USER may see matching every filter, newest first.

    `status` one status, "open" (the default when empty), "done" or "all"; `owner` a username
    or "none"; `overdue` open cases past a target at NOW; `q` a case number, a phone (any
    spelling), a serial or a reporter's name; `queue="triage"` faults and repair requests not
    yet resolved; `queue="myteams"` the unowned open cases of USER's teams; `team` a team's key.
    A report's filters: opened from `first` to `last`, `dealer`, `model`, `region` (`report_q`)
    and `target` one of TARGETS (`target_q`). Unknown values match nothing.
    """
    qs = scoped(user, Case).select_related(*CASE_RELATED)
    if first is not None or last is not None or dealer or model or region:
        # Only then: the calendar (its time zone) is a query of its own.
        qs = qs.filter(report_q(first=first, last=last, dealer=dealer, model=model, region=region,
                                tz=work_calendar().tz))
    if target:
        qs = qs.filter(target_q(target, now=now))
    if status in ("", "open"):
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "done":
        qs = qs.filter(status__in=DONE_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if case_type:
        qs = qs.filter(case_type=case_type)
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        qs = qs.filter(owner__username=owner)
    if team:
        qs = qs.filter(team__key=team)
    if queue == "myteams":
        qs = qs.filter(team__in=user.case_teams.all(), owner__isnull=True, status__in=OPEN_STATUSES)
    if queue == "triage":
        qs = qs.filter(case_type__in=TRIAGE_TYPES, status__in=OPEN_STATUSES)
    if overdue:
        qs = qs.filter(Q(status__in=OPEN_STATUSES) & (
            Q(resolution_due__lt=now) | Q(first_responded_at__isnull=True, first_response_due__lt=now)))
    q = q.strip()
    if q:
        match = Q(number__iexact=q) | Q(reporter_name__icontains=q) | Q(serial=normalize_serial(q))
        if PHONE_LIKE.fullmatch(q):
            match |= Q(reporter_phone_key=phone_key(q))
        qs = qs.filter(match)
    return qs.order_by("-opened_at", "-id")


def team_counts(user: Any) -> list[tuple[Team, int]]:
    """USER's active teams with how many unowned open cases wait in each, in one query."""
    teams = (Team.objects.filter(members=user, active=True)
             .annotate(waiting=Count("cases", filter=Q(cases__owner__isnull=True, cases__status__in=OPEN_STATUSES)))
             .order_by("id")) if getattr(user, "is_vendor_staff", False) else Team.objects.none()
    return [(t, t.waiting) for t in teams]  # type: ignore[attr-defined]  # annotated above


def case_findings(case: Case) -> str:
    """What triage found, for the fault of a service form opened from CASE."""
    parts = [case.subject]
    faults = [f"{t.get_item_display()}{'：' + t.note if t.note else ''}"
              for t in case.triage.all() if t.result == "fault"]
    if faults:
        parts.append(_("排查发现：%(faults)s") % {"faults": "；".join(faults)})
    parts += [f"{d.get_kind_display()}：{d.text}" for d in case.diagnostics.all()]
    return "\n".join(parts)


def allowed_events(case: Case, user: Any) -> list[str]:
    """The events USER may apply to CASE now."""
    try:
        actor = actor_of(user)
    except Forbidden:  # an account without a role may apply nothing
        return []
    return [e.value for e in domain.allowed_for(case.snapshot(), actor)]


def _time(value: datetime | None, tz: Any) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def case_view(case: Case, *, user: Any, tz: Any) -> dict[str, Any]:
    """DESIGN §6 CASE for USER (whose `allowed` it lists)."""
    dealer = case.dealer
    return {
        "id": case.pk,
        "number": case.number,
        "channel": case.channel,
        "type": case.case_type,
        "status": case.status,
        "subject": case.subject,
        "description": case.description,
        "reporter": {"name": case.reporter_name, "phone": case.reporter_phone, "email": case.reporter_email,
                     "qq": case.reporter_qq},
        "serial": case.serial or None,
        "dealer": {"code": dealer.code, "name": dealer.name, "phone": dealer.phone} if dealer else None,
        "coverage": case.coverage or None,
        "team": case.team.key if case.team else None,
        "owner": case.owner.username if case.owner else None,
        "first_responder": case.first_responder.username if case.first_responder else None,
        "opened_at": _time(case.opened_at, tz),
        "pickup_at": _time(case.pickup_at, tz),
        "first_response_due": _time(case.first_response_due, tz),
        "resolution_due": _time(case.resolution_due, tz),
        "version": case.version,
        "allowed": allowed_events(case, user),
    }


def case_public_find(number: str, phone: str) -> Case | None:
    """The case numbered NUMBER whose reporter's phone is PHONE (any spelling), for the public status
    page; None for a missing case and for a wrong phone alike. Not scoped: the pair is the key."""
    key = phone_key(phone or "")
    number = (number or "").strip().upper()
    if not key or len(key) < 7 or not number:
        return None
    # Served by the unique index on number; the phone is compared on that one row.
    case = Case.objects.filter(number=number).first()
    return case if case is not None and case.reporter_phone_key == key else None
