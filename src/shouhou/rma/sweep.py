"""Deadline reminders and escalations: what `deadlines_sweep` (task) and `shouhou rma sweep` run.

Every open `DeadlineRecord` gets at most one reminder (from 00:00 of its due day, while not yet
late) and at most one escalation (once late). Idempotence is in the database: the record is
locked (`skip_locked`, so two sweeps in parallel split the work), stamped `reminded_at` /
`escalated_at`, and each event has a unique key.

Events (`shouhou.notify`): `deadline.dealer_reminder` / `deadline.dealer_overdue` for the
dealer's own deadlines (faulty unit, quote answer), `deadline.staff_reminder` /
`deadline.staff_overdue` for the vendor's, naming the line's owner: the last staff member who
acted on it (else every service-centre user, else every administrator). The notification rules add the rest (by default:
every manager on an escalation), and each person gets an inbox message and an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shouhou.core.models import AuditEvent, User
from shouhou.core.roles import Role
from shouhou.notify.services import emit
from shouhou.rma.models import DeadlineRecord
from shouhou.rma.services import line_notice_data
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


def _notify(record: DeadlineRecord, name: str, *, users: list[User]) -> int:
    line = record.line
    data = {**line_notice_data(line), "kind": record.kind, "kind_label": str(record.get_kind_display()),
            "due": clock.localtime(record.due_at).strftime("%Y-%m-%d %H:%M")}
    event = emit(name, data=data, dealer=line.order.dealer, obj=line, thread=line.order.number or "",
                 users=users, key=f"{name}:{record.pk}")
    return 0 if event is None else event.messages.filter(transport="inbox").count()


def deadlines_sweep_run(*, now: datetime | None = None) -> SweepResult:
    """Send the reminders and escalations that are due at NOW (default: the clock)."""
    now = now or timezone.now()
    today_start = clock.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today_start + timedelta(days=1)
    result = SweepResult()
    service_center: list[User] | None = None
    due = Q(met_at__isnull=True) & (
        Q(reminded_at__isnull=True, due_at__lt=tomorrow) | Q(escalated_at__isnull=True, due_at__lt=now))
    while True:
        with transaction.atomic():
            batch = list(DeadlineRecord.objects.select_for_update(skip_locked=True, of=("self",))
                         .select_related("line", "line__order", "line__order__dealer").filter(due)
                         .order_by("due_at")[:BATCH])
            if not batch:
                return result
            for record in batch:
                vendor = record.party == "vendor"
                owners: list[User] = []
                if vendor:
                    owner = _owner(record)
                    if owner is None and service_center is None:
                        # Nobody in the service centre: the administrators, so the deadline still reaches a person.
                        service_center = _staff(Role.SERVICE_CENTER) or _staff(Role.ADMIN)
                    owners = [owner] if owner else list(service_center or [])
                party = "staff" if vendor else "dealer"
                if record.due_at < now:
                    result.escalations += _notify(record, f"deadline.{party}_overdue", users=owners)
                    record.escalated_at = now
                    record.reminded_at = record.reminded_at or now  # too late to remind
                else:
                    result.reminders += _notify(record, f"deadline.{party}_reminder", users=owners)
                    record.reminded_at = now
                record.save(update_fields=["reminded_at", "escalated_at"])
