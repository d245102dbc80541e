"""Deadline reminders and escalations: what `deadlines_sweep` (task) and `shouhou rma sweep` run.

Every open `DeadlineRecord` gets at most one reminder (from 00:00 of its due day, while not yet
late) and at most one escalation (once late). Idempotence is in the database: the record is
locked (`skip_locked`, so two sweeps in parallel split the work), stamped `reminded_at` /
`escalated_at`, and each notice has a unique key.

Recipients: the dealer for its own deadlines (faulty unit, quote answer); for the vendor's, the
line's owner: the last staff member who acted on it (else every service-centre user). An
escalation also goes to every manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import AuditEvent, User
from shouhou.core.roles import Role
from shouhou.rma.models import DeadlineRecord, Notification, NotificationKind
from shouhou.rma.notices import reference
from shouhou.workdays import clock

BATCH = 500


@dataclass
class SweepResult:
    reminders: int = 0
    escalations: int = 0


def _staff(role: str) -> list[User]:
    return list(User.objects.filter(is_active=True, dealer__isnull=True, groups__name=role).distinct())


def _owner(record: DeadlineRecord) -> User | None:
    """The last staff member who acted on the line."""
    actor_ids = (AuditEvent.objects.filter(object_type="rma.orderline", object_id=str(record.line_id),
                                           actor__isnull=False, actor__dealer__isnull=True)
                 .order_by("-at", "-id").values_list("actor_id", flat=True)[:1])
    return User.objects.filter(pk__in=list(actor_ids), is_active=True).first()


def _notify(record: DeadlineRecord, kind: str, *, subject: str, body: str, dealer: bool,
            users: list[User]) -> int:
    line = record.line
    rows = []
    if dealer:
        rows.append(Notification(kind=kind, dealer_id=line.order.dealer_id, key=f"{kind}:{record.pk}:dealer"))
    rows += [Notification(kind=kind, user=u, key=f"{kind}:{record.pk}:user:{u.pk}") for u in users]
    for row in rows:
        row.subject, row.body, row.order_id, row.line = subject[:200], body, line.order_id, line
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def _due_text(record: DeadlineRecord) -> dict[str, str]:
    return {"ref": reference(record.line), "kind": record.get_kind_display(),
            "due": clock.localtime(record.due_at).strftime("%Y-%m-%d %H:%M")}


def deadlines_sweep_run(*, now: datetime | None = None) -> SweepResult:
    """Send the reminders and escalations that are due at NOW (default: the clock)."""
    now = now or timezone.now()
    today_start = clock.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today_start + timedelta(days=1)
    result = SweepResult()
    service_center: list[User] | None = None
    managers: list[User] | None = None
    due = Q(met_at__isnull=True) & (
        Q(reminded_at__isnull=True, due_at__lt=tomorrow) | Q(escalated_at__isnull=True, due_at__lt=now))
    while True:
        with transaction.atomic():
            batch = list(DeadlineRecord.objects.select_for_update(skip_locked=True, of=("self",))
                         .select_related("line", "line__order").filter(due).order_by("due_at")[:BATCH])
            if not batch:
                return result
            for record in batch:
                values = _due_text(record)
                vendor = record.party == "vendor"
                if vendor:
                    owner = _owner(record)
                    if owner is None and service_center is None:
                        service_center = _staff(Role.SERVICE_CENTER)
                    owners = [owner] if owner else list(service_center or [])
                else:
                    owners = []
                if record.due_at < now:
                    if managers is None:
                        managers = _staff(Role.MANAGER)
                    subject = _("【已逾期】%(ref)s：%(kind)s期限 %(due)s 已过") % values
                    body = (_("我方%(kind)s期限 %(due)s 已过，请尽快处理并说明原因。") if vendor else
                            _("代理商%(kind)s期限 %(due)s 已过，请跟进。")) % values
                    if record.kind == "faulty_return":
                        body = _("提前换货的故障件应于 %(due)s 前寄回，至今未寄回。请尽快寄回售后服务中心。") % values
                    result.escalations += _notify(record, NotificationKind.ESCALATION, subject=subject, body=body,
                                                  dealer=not vendor,
                                                  users=_unique([*owners, *managers]))
                    record.escalated_at = now
                    record.reminded_at = record.reminded_at or now  # too late to remind
                else:
                    subject = _("【今日到期】%(ref)s：%(kind)s期限 %(due)s") % values
                    body = _("%(kind)s期限为今天 %(due)s，请按时处理。") % values
                    result.reminders += _notify(record, NotificationKind.REMINDER, subject=subject, body=body,
                                                dealer=not vendor, users=owners)
                    record.reminded_at = now
                record.save(update_fields=["reminded_at", "escalated_at"])


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())
