"""RMA demo data for `shouhou serve --demo`: ~27 service orders across every path and state.

Runs after the registry demo (which creates the units) and drives each order through the real
services with `at=` in the past, so the audit timeline, deadline records and outbox are real.
Dates cross the 2025 National Day and the 2026 Spring Festival; a few recent orders are on
time, the older open ones are overdue. Idempotent: does nothing once any order exists, and
skips a scenario when no demo unit fits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

TZ = ZoneInfo("Asia/Shanghai")
SPARE = object()  # placeholder: the next in-stock unit

Step = tuple[str, int, int, dict[str, Any]]  # event, days after submission, hour, fields

SHIP_IN = ("ship_to_centre", 1, 10, {"carrier": "顺丰速运", "tracking": "SF1000"})
RECEIVE = ("receive", 4, 10, {"condition": "外包装完好"})
OK = {"fault_confirmed": True, "damage": [], "components": ["主板"]}
QUOTE = {"items": [{"text": "更换主板", "amount": "680.00"}, {"text": "检测费", "amount": "50.00"}]}
SHIP_OUT = {"carrier": "顺丰速运", "tracking": "SF2000"}

SCRIPTS: dict[str, tuple[str, list[Step]]] = {
    "free_replacement": ("replacement", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 5, 10, OK),
        ("ship_replacement", 6, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 9, 10, {})]),
    "paid_replacement": ("replacement", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 5, 10, {**OK, "damage": ["cosmetic"]}),
        ("send_quote", 5, 16, {**QUOTE, "options": ["paid_replacement", "paid_repair"]}),
        ("confirm_quote", 6, 10, {"choice": "paid_replacement"}),
        ("ship_replacement", 7, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 10, 10, {})]),
    "free_repair": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 5, 10, OK),
        ("complete_repair", 8, 10, {"parts": ["主板"], "result": "更换主板后烤机 24 小时正常"}),
        ("ship_repaired", 9, 10, SHIP_OUT), ("confirm_delivery", 12, 10, {})]),
    "paid_repair": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 5, 10, {**OK, "damage": ["liquid"]}),
        ("send_quote", 5, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("confirm_quote", 6, 10, {"choice": "paid_repair"}),
        ("complete_repair", 9, 10, {"parts": ["主板"], "result": "更换主板"}), ("ship_repaired", 10, 10, SHIP_OUT),
        ("close", 14, 10, {})]),
    "lifetime_repair": ("out_of_warranty", [
        ("approve", 0, 15, {}), RECEIVE, ("inspect", 5, 10, OK),
        ("send_quote", 5, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("decline_quote", 7, 10, {"scrap": False}), ("ship_back", 8, 10, SHIP_OUT), ("confirm_delivery", 11, 10, {})]),
    "best_effort": ("discontinued", [
        ("approve", 0, 15, {}), RECEIVE, ("inspect", 5, 10, OK), ("ship_back", 6, 10, SHIP_OUT)]),
    "no_fault": ("warranty", [
        ("approve", 0, 15, {}), RECEIVE, ("inspect", 5, 10, {"fault_confirmed": False}),
        ("ship_back", 6, 10, SHIP_OUT)]),
    "advance": ("replacement", [
        ("approve_advance", 0, 15, {"reason": "网吧营业急需，提前换货"}),
        ("ship_replacement", 1, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 2, 17, {}),
        ("ship_to_centre", 4, 10, {"carrier": "顺丰速运", "tracking": "SF3000"}), ("receive", 6, 10, {}),
        ("inspect", 7, 10, {**OK, "damage": ["liquid"]}), ("charge", 7, 11, {"amount": "350.00", "reason": "机箱进液"}),
        ("close", 8, 10, {})]),
    "info_then_reject": ("warranty", [
        ("request_info", 0, 15, {"message": "请补充配置拓扑图和故障照片"}), ("resubmit", 2, 10, {}),
        ("reject", 3, 10, {"reason": "非我司设备，序列号与机箱标签不符"})]),
    "cancelled": ("warranty", [("cancel", 0, 12, {"reason": "用户重装系统后恢复正常"})]),
}

# (script, steps to apply: None = all). Cuts leave lines in every open state.
SCENARIOS: list[tuple[str, int | None]] = [
    ("free_replacement", None), ("free_replacement", 3), ("paid_replacement", None), ("paid_replacement", 5),
    ("free_repair", None), ("free_repair", 4), ("paid_repair", None), ("paid_repair", 6),
    ("lifetime_repair", None), ("lifetime_repair", 4), ("best_effort", None), ("no_fault", None),
    ("advance", None), ("advance", 3), ("info_then_reject", None), ("info_then_reject", 1),
]
BASES = (datetime(2025, 9, 26, 10, 0, tzinfo=TZ), datetime(2026, 2, 10, 10, 0, tzinfo=TZ))


@dataclass
class _Pool:
    units: list[Any]
    spares: list[Any]

    def take(self, coverage: str, day: date) -> Any | None:
        from shouhou.domain.errors import Invalid
        from shouhou.registry.models import unit_coverage

        for unit in self.units:
            try:
                if str(unit_coverage(unit, day).status) == coverage:
                    self.units.remove(unit)
                    return unit
            except Invalid:
                continue
        return None


def _run(pool: _Pool, script: str, cut: int | None, submitted: datetime, staff: Any, out: TextIO) -> bool:
    from shouhou.core.models import User
    from shouhou.domain.rma import DEALER_EVENTS
    from shouhou.rma.services import line_apply, order_submit

    coverage, steps = SCRIPTS[script]
    unit = pool.take(coverage, timezone.localtime(submitted, TZ).date())
    if unit is None:
        return False
    dealer_user = User.objects.filter(dealer=unit.dealer, is_active=True).first()
    now = timezone.now()
    with transaction.atomic():
        order = order_submit(
            dealer=unit.dealer, actor=staff, contact_name=unit.dealer.contact_name or "售后联系人",
            contact_phone=unit.dealer.phone or unit.dealer.mobile or "0771-0000000",
            contact_email=unit.dealer.email, return_address=unit.dealer.address or unit.dealer.name,
            submitted_at=submitted, topology_required=False, source="staff",
            lines=[{"serial": unit.serial, "fault": "开机后无盘客户端频繁掉线，服务器自检报内存错误",
                    "advance_requested": script == "advance", "advance_reason": "网吧营业急需"}],
        )
        line = order.lines.get()
        for event, days, hour, fields in steps[:cut]:
            at = (submitted + timedelta(days=days)).replace(hour=hour)
            if at > now:
                break
            data = dict(fields)
            if data.get("replacement_serial") is SPARE:
                if not pool.spares:
                    break
                data["replacement_serial"] = pool.spares.pop().serial
            actor = dealer_user if dealer_user is not None and event in DEALER_EVENTS else staff
            line = line_apply(line=line, event=event, actor=actor, version=line.version, at=at, fields=data)
    out.write(f"  {script:<18} {unit.serial}: {line.state}\n")
    return True


def load_demo(out: TextIO) -> None:
    from shouhou.core.models import User
    from shouhou.registry.models import Unit, UnitStatus
    from shouhou.rma.models import ServiceOrder

    if ServiceOrder.objects.exists():
        return
    staff = (User.objects.filter(is_active=True, dealer__isnull=True, groups__name="service_center").first()
             or User.objects.filter(is_active=True, is_superuser=True).first())
    units = list(Unit.objects.select_related("product_model", "dealer", "replaces")
                 .filter(dealer__isnull=False, shipped_on__isnull=False, replaced_by__isnull=True,
                         status__in=[UnitStatus.IN_SERVICE, UnitStatus.WITH_DEALER]).order_by("serial"))
    spares = list(Unit.objects.filter(status=UnitStatus.IN_STOCK, replaces__isnull=True).order_by("-serial"))
    if staff is None or not units:
        out.write("RMA demo: no staff user or no demo units; skipped\n")
        return
    pool = _Pool(units, spares)
    out.write("RMA demo orders:\n")
    done = 0
    for base in BASES:
        for script, cut in SCENARIOS:
            done += _run(pool, script, cut, base, staff, out)
    # Recent ones, still on time.
    recent = timezone.now().astimezone(TZ) - timedelta(hours=2)
    for script, cut in (("free_repair", 0), ("free_replacement", 1), ("cancelled", None)):
        done += _run(pool, script, cut, recent, staff, out)
    out.write(f"RMA demo: {done} service orders\n")
