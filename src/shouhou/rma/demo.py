"""RMA demo data for `shouhou serve --demo`: ~50 service orders across every path and state.

Runs after the registry demo (which creates the units) and drives each order through the real
services with `at=` in the past, so the audit timeline, deadline records and outbox are real.

- Closed history is dated around the 2025 National Day, the 2026 Spring Festival and the 2026
  National Day, so the timelines step over official holidays; every path ends closed at least once.
- A few lines closed in the last weeks, one of them a day late, so "deadlines met" has figures.
- Open lines are dated back from the day the demo is loaded, in working days of the product
  calendar: just submitted, received and waiting for inspection, a couple late by 1–2 working
  days, quotes waiting for the dealer, an advance replacement waiting for the faulty unit,
  repairs in progress, and drafts in the dealer portal. The queue reads naturally on any day.

Idempotent: does nothing once any order exists, and skips a scenario when no demo unit fits it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from shouhou.workdays import clock

TZ = ZoneInfo("Asia/Shanghai")
SPARE = object()  # placeholder: the next in-stock unit
PORTAL_DEALER = "GX-NN01"  # the dealer of the `dealer.nn` demo login: it gets the dealer's to-dos

Step = tuple[str, int, int, dict[str, Any]]  # event, working days after submission, hour, fields

SHIP_IN = ("ship_to_centre", 1, 10, {"carrier": "顺丰速运", "tracking": "SF1000"})
RECEIVE = ("receive", 3, 10, {"condition": "外包装完好"})
OK = {"fault_confirmed": True, "damage": [], "components": ["主板"]}
QUOTE = {"items": [{"text": "更换主板", "amount": "680.00"}, {"text": "检测费", "amount": "50.00"}]}
SHIP_OUT = {"carrier": "顺丰速运", "tracking": "SF2000"}
FAULTS = ("开机后无盘客户端频繁掉线，服务器自检报内存错误", "RAID 卡报错，两块硬盘离线",
          "运行半小时后自动重启，电源风扇异响", "万兆网口无链接，更换网线无效", "开机无显示，主板诊断灯 C1")

# Each script is a whole path, in working days after submission; a cut leaves a line mid-way.
SCRIPTS: dict[str, tuple[str, list[Step]]] = {
    "free_replacement": ("replacement", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, OK),
        ("ship_replacement", 5, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 7, 10, {})]),
    "paid_replacement": ("replacement", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, {**OK, "damage": ["cosmetic"]}),
        ("send_quote", 4, 16, {**QUOTE, "options": ["paid_replacement", "paid_repair"]}),
        ("confirm_quote", 5, 10, {"choice": "paid_replacement"}),
        ("ship_replacement", 6, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 8, 10, {})]),
    "free_repair": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, OK),
        ("complete_repair", 8, 10, {"parts": ["主板"], "result": "更换主板后烤机 24 小时正常"}),
        ("ship_repaired", 9, 10, SHIP_OUT), ("confirm_delivery", 11, 10, {})]),
    "free_repair_slow": ("warranty", [  # inspected a day after its deadline
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 7, 11, OK),
        ("complete_repair", 9, 10, {"parts": ["内存"], "result": "更换内存条后烤机正常"}),
        ("ship_repaired", 10, 10, SHIP_OUT), ("confirm_delivery", 12, 10, {})]),
    "paid_repair": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, {**OK, "damage": ["liquid"]}),
        ("send_quote", 4, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("confirm_quote", 6, 10, {"choice": "paid_repair"}),
        ("complete_repair", 10, 10, {"parts": ["主板"], "result": "更换主板"}), ("ship_repaired", 11, 10, SHIP_OUT),
        ("close", 14, 10, {})]),
    "lifetime_repair": ("out_of_warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, OK),
        ("send_quote", 4, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("confirm_quote", 5, 10, {"choice": "paid_repair"}),
        ("complete_repair", 9, 10, {"parts": ["电源"], "result": "更换电源模块"}), ("ship_repaired", 10, 10, SHIP_OUT),
        ("confirm_delivery", 12, 10, {})]),
    "declined_return": ("out_of_warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, OK),
        ("send_quote", 4, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("decline_quote", 6, 10, {"scrap": False}), ("ship_back", 7, 10, SHIP_OUT), ("confirm_delivery", 9, 10, {})]),
    "declined_scrap": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, {**OK, "damage": ["burn"]}),
        ("send_quote", 4, 16, {**QUOTE, "options": ["paid_repair"]}),
        ("decline_quote", 6, 10, {"scrap": True}), ("close", 7, 15, {})]),
    "best_effort": ("discontinued", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, OK), ("ship_back", 5, 10, SHIP_OUT),
        ("confirm_delivery", 7, 10, {})]),
    "no_fault": ("warranty", [
        ("approve", 0, 15, {}), SHIP_IN, RECEIVE, ("inspect", 4, 10, {"fault_confirmed": False}),
        ("ship_back", 5, 10, SHIP_OUT), ("confirm_delivery", 7, 10, {})]),
    "advance": ("replacement", [
        ("approve_advance", 0, 15, {"reason": "网吧营业急需，提前换货"}),
        ("ship_replacement", 1, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 3, 17, {}),
        ("ship_to_centre", 5, 10, {"carrier": "顺丰速运", "tracking": "SF3000"}), ("receive", 7, 10, {}),
        ("inspect", 8, 10, {**OK, "damage": ["liquid"]}), ("charge", 8, 11, {"amount": "350.00", "reason": "机箱进液"}),
        ("close", 9, 10, {})]),
    "advance_clean": ("replacement", [
        ("approve_advance", 0, 15, {"reason": "电竞比赛前急需，提前换货"}),
        ("ship_replacement", 1, 10, {**SHIP_OUT, "replacement_serial": SPARE}), ("confirm_delivery", 3, 17, {}),
        ("ship_to_centre", 4, 10, {"carrier": "德邦快递", "tracking": "DB3100"}), ("receive", 6, 10, {}),
        ("inspect", 7, 10, OK), ("close", 7, 15, {})]),
    "info_then_reject": ("warranty", [
        ("request_info", 0, 15, {"message": "请补充配置拓扑图和故障照片"}), ("resubmit", 2, 10, {}),
        ("reject", 3, 10, {"reason": "非我司设备，序列号与机箱标签不符"})]),
    "cancelled": ("warranty", [("cancel", 0, 12, {"reason": "用户重装系统后恢复正常"})]),
}

# Closed history around the holidays: (submission day, scripts run to the end). Every path
# occurs; a scenario whose coverage no unit has on its day falls back to the other days.
CLOSED: list[tuple[date, list[str]]] = [
    (date(2025, 9, 29), ["free_replacement", "paid_replacement", "free_repair", "paid_repair", "lifetime_repair",
                         "declined_return", "best_effort", "no_fault", "advance", "advance_clean",
                         "info_then_reject", "cancelled"]),
    (date(2026, 2, 13), ["free_replacement", "free_repair", "paid_repair", "declined_scrap", "no_fault", "advance",
                         "cancelled"]),
    (date(2026, 9, 29), ["paid_replacement", "free_repair", "lifetime_repair", "declined_scrap", "best_effort",
                         "info_then_reject"]),
]
# Closed lately (working days before today the form came in), so "deadlines met" has figures.
RECENT: list[tuple[str, int]] = [("free_repair", 16), ("no_fault", 12), ("paid_repair", 19), ("free_repair_slow", 15)]
# Open lines: (script, steps applied, working days before today the form came in, for the
# portal dealer). The comments say what the queue shows on the day the demo is loaded.
OPEN: list[tuple[str, int, int, bool]] = [
    ("free_repair", 0, 0, True),         # submitted just now: review due next working day
    ("paid_repair", 0, 1, False),        # submitted yesterday: review due today
    ("advance", 0, 1, True),             # asks for an advance replacement: review due today
    ("no_fault", 0, 2, False),           # review late by 1 WD
    ("info_then_reject", 1, 2, True),    # the dealer must complete the form
    ("free_repair", 1, 2, True),         # approved: the dealer ships the unit to the centre
    ("paid_repair", 2, 3, False),        # in transit to the centre
    ("free_repair", 3, 4, False),        # received yesterday: inspection due in 2 WD
    ("no_fault", 3, 5, False),           # received 2 WD ago: inspection due in 1 WD
    ("paid_repair", 3, 8, False),        # received 5 WD ago: inspection late by 2 WD
    ("free_replacement", 4, 5, False),   # new unit to ship: due in 1 WD
    ("paid_repair", 4, 5, False),        # quote to send: due in 1 WD
    ("paid_repair", 5, 6, True),         # quote waiting for the dealer (15 days' validity)
    ("paid_replacement", 5, 7, True),    # quote with a paid-replacement option
    ("lifetime_repair", 5, 9, False),    # out of warranty, quote waiting
    ("advance", 3, 4, True),             # new unit delivered: faulty unit due back in 2 WD
    ("advance", 3, 7, False),            # faulty unit due back 1 WD ago (the dealer is late)
    ("free_repair", 4, 8, False),        # repairing: 5 WD left
    ("free_repair", 4, 10, True),        # repairing: 3 WD left
    ("paid_repair", 6, 9, False),        # paid repair confirmed 3 WD ago: 7 WD left
    ("lifetime_repair", 7, 11, False),   # repaired, to ship: 4 WD left
    ("free_replacement", 5, 7, True),    # new unit shipped: the dealer confirms delivery
    ("free_repair", 6, 11, False),       # repaired unit shipped
]
DRAFTS = [["开机报警，疑似内存故障"], ["两台同批次服务器硬盘灯异常", "阵列降级，需要检测"]]


@dataclass
class _Pool:
    units: list[Any]
    spares: list[Any]

    def spare_for(self, unit: Any) -> Any | None:
        """An in-stock unit of UNIT's model (a replacement is of the same model)."""
        for spare in self.spares:
            if spare.product_model_id == unit.product_model_id:
                self.spares.remove(spare)
                return spare
        return None

    def take(self, coverage: str | None, day: date, *, dealer: str | None = None) -> Any | None:
        """The first unit with COVERAGE on DAY (any coverage when None), DEALER's first if given."""
        from shouhou.domain.errors import Invalid
        from shouhou.registry.models import unit_coverage

        ordered = self.units
        if dealer is not None:
            ordered = [u for u in self.units if u.dealer.code == dealer] + [u for u in self.units
                                                                         if u.dealer.code != dealer]
        for unit in ordered:
            try:
                status = str(unit_coverage(unit, day).status)
            except Invalid:
                continue
            if coverage is None or status == coverage:
                self.units.remove(unit)
                return unit
        return None


def working_days_back(cal: Any, today: date, n: int) -> date:
    """The working day N working days before TODAY (TODAY itself for 0)."""
    day, count = today, 0
    while count < n:
        day -= timedelta(days=1)
        count += cal.is_working_day(day)
    return day


def _at(cal: Any, start: date, offset: int, hour: int) -> datetime:
    day = cal.add_working_days(start, offset) if offset else start
    return datetime.combine(day, time(hour, 0), TZ)


class _Demo:
    def __init__(self, pool: _Pool, staff: Any, out: TextIO) -> None:
        from shouhou.core.models import User
        from shouhou.rma.policy import work_calendar

        self.pool, self.staff, self.out = pool, staff, out
        self.cal = work_calendar()
        self.now = timezone.now()
        self.today = clock.localtime(self.now).date()
        self.dealer_users = {u.dealer_id: u for u in User.objects.filter(is_active=True, dealer__isnull=False)
                             .order_by("-id")}
        self.count = 0

    def unit(self, script: str, day: date, *, dealer: str | None = None) -> Any | None:
        return self.pool.take(SCRIPTS[script][0], day, dealer=dealer)

    def run(self, script: str, cut: int | None, start: date, unit: Any, *, submitted: datetime | None) -> None:
        """Submit a one-line order for UNIT at SUBMITTED (None: the dealer, just now), then apply
        the script's steps up to CUT, dated in working days after START."""
        from shouhou.domain.rma import DEALER_EVENTS
        from shouhou.rma.services import line_apply, order_submit

        steps = SCRIPTS[script][1]
        dealer = unit.dealer
        dealer_user = self.dealer_users.get(dealer.pk)
        by_dealer = submitted is None and dealer_user is not None  # "just now": the dealer's own web form
        fault = FAULTS[self.count % len(FAULTS)]
        with transaction.atomic():
            order = order_submit(
                dealer=dealer, actor=dealer_user if by_dealer else self.staff,
                contact_name=dealer.contact_name or "售后联系人",
                contact_phone=dealer.phone or dealer.mobile or "0771-0000000", contact_email=dealer.email,
                return_address=dealer.address or dealer.name,
                submitted_at=None if by_dealer else (submitted or self.now - timedelta(minutes=40)),
                topology_required=False, source="web" if by_dealer else "staff",
                lines=[{"serial": unit.serial, "fault": fault, "advance_requested": script.startswith("advance"),
                        "advance_reason": "网吧营业急需" if script.startswith("advance") else ""}],
            )
            line = order.lines.get()
            for event, offset, hour, fields in steps[:cut]:
                at = _at(self.cal, start, offset, hour)
                if at > self.now:  # never in the future: the line waits where it is
                    break
                data = dict(fields)
                if data.get("replacement_serial") is SPARE:
                    spare = self.pool.spare_for(unit)
                    if spare is None:
                        break
                    data["replacement_serial"] = spare.serial
                actor = dealer_user if dealer_user is not None and event in DEALER_EVENTS else self.staff
                line = line_apply(line=line, event=event, actor=actor, version=line.version, at=at, fields=data)
        self.count += 1
        self.out.write(f"  {script:<18} {unit.serial} {start}: {line.state}\n")

    def closed(self) -> None:
        days = [day for day, _scripts in CLOSED]
        for day, scripts in CLOSED:
            for script in scripts:
                for start in (day, *[d for d in days if d != day]):
                    unit = self.unit(script, start)
                    if unit is not None:
                        self.run(script, None, start, unit, submitted=_at(self.cal, start, 0, 10))
                        break

    def recent(self) -> None:
        for script, ago in RECENT:
            start = working_days_back(self.cal, self.today, ago)
            unit = self.unit(script, start)
            if unit is not None:
                self.run(script, None, start, unit, submitted=_at(self.cal, start, 0, 10))

    def open(self) -> None:
        for script, cut, ago, portal in OPEN:
            start = working_days_back(self.cal, self.today, ago)
            unit = self.unit(script, start, dealer=PORTAL_DEALER if portal else None)
            if unit is None:
                continue
            if ago == 0:  # a moment ago, today
                self.run(script, cut, start, unit, submitted=None)
            else:
                self.run(script, cut, start, unit, submitted=_at(self.cal, start, 0, 11 if cut == 0 else 10))

    def drafts(self) -> None:
        from shouhou.registry.models import Dealer
        from shouhou.rma.services import order_save_draft

        dealer = Dealer.objects.filter(code=PORTAL_DEALER).first()
        user = self.dealer_users.get(dealer.pk) if dealer is not None else None
        if dealer is None or user is None:
            return
        for faults in DRAFTS:
            lines = []
            for fault in faults:
                unit = self.pool.take(None, self.today, dealer=PORTAL_DEALER)
                lines.append({"serial": unit.serial if unit is not None else "", "fault": fault})
            order_save_draft(dealer=dealer, actor=user, lines=lines, contact_name=dealer.contact_name,
                             contact_phone=dealer.phone, contact_email=dealer.email,
                             return_address=dealer.address)
            self.out.write(f"  draft              {', '.join(ln['serial'] for ln in lines)}\n")


    def receipts(self) -> None:
        """Parcels that came without an approved form: one waiting per demo dealer, one under an
        unknown serial, and one whose form was approved since (taken over)."""
        from shouhou.rma.services import line_apply, order_submit
        from shouhou.rma.services_receipts import receipt_log

        waiting = (("GX-NN01", 2, "外箱轻微破损，机器外观完好"), ("GD-GZ02", 5, "外箱完好，未附服务单"))
        for code, ago, condition in waiting:
            unit = self.pool.take(None, self.today, dealer=code)
            if unit is None or unit.dealer.code != code:
                continue
            at = _at(self.cal, working_days_back(self.cal, self.today, ago), 0, 14)
            receipt_log(actor=self.staff, serial=unit.serial, carrier="顺丰速运", tracking=f"SF77{ago:08d}",
                        condition=condition, at=min(at, self.now), photos=[_parcel_photo()])
            self.out.write(f"  unannounced        {unit.serial} ({code}), waiting\n")
        receipt_log(actor=self.staff, serial="SN-UNKNOWN-0425", carrier="德邦物流", tracking="DPK2026042501",
                    condition="序列号标签模糊，外箱无代理商信息", at=self.now - timedelta(hours=3))
        self.out.write("  unannounced        SN-UNKNOWN-0425 (unknown serial), waiting\n")
        start = working_days_back(self.cal, self.today, 4)
        unit = self.pool.take("warranty", start, dealer=PORTAL_DEALER)
        if unit is None:
            return
        with transaction.atomic():
            receipt_log(actor=self.staff, serial=unit.serial, carrier="中通快递", tracking="ZT5566778899",
                        condition="外箱完好", at=_at(self.cal, start, 0, 10))
            order = order_submit(dealer=unit.dealer, actor=self.staff,
                                 contact_name=unit.dealer.contact_name or "售后联系人",
                                 contact_phone=unit.dealer.phone or "0771-0000000", contact_email=unit.dealer.email,
                                 return_address=unit.dealer.address or unit.dealer.name,
                                 submitted_at=_at(self.cal, start, 2, 10), topology_required=False, source="staff",
                                 lines=[{"serial": unit.serial, "fault": "补交服务单：开机后风扇狂转，无法进入系统"}])
            line = order.lines.get()
            line = line_apply(line=line, event="approve", actor=self.staff, version=line.version,
                              at=min(_at(self.cal, start, 3, 11), self.now))
        self.count += 1
        self.out.write(f"  unannounced        {unit.serial} taken over by {line.order.number}: {line.state}\n")


def _parcel_photo() -> Any:
    """A small PNG standing in for the desk's photo of a parcel (a brown box on grey)."""
    import struct
    import zlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    width, height = 96, 64
    rows = b"".join(b"\x00" + b"".join(b"\xb0\x80\x50" if 16 <= x < 80 and 12 <= y < 52 else b"\xe5\xe7\xeb"
                                      for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return SimpleUploadedFile("parcel.png", png, content_type="image/png")


DEMO_POLICY_NOTE = "补充返修前的数据备份提醒"


def _policy_second_version(out: TextIO) -> None:
    """A manager's edit of the default texts, so the history and the diff have something to show.
    Quotes made by the demo orders stay under version 1."""
    from shouhou.core.models import User
    from shouhou.domain.policy import format_checklist
    from shouhou.rma.models import PolicyVersion
    from shouhou.rma.policy import checklist, policy_current
    from shouhou.rma.services_policy import policy_edit

    current = policy_current()
    if current is None or PolicyVersion.objects.filter(note=DEMO_POLICY_NOTE).exists():
        return
    manager = (User.objects.filter(is_active=True, dealer__isnull=True, groups__name="manager").first()
               or User.objects.filter(is_active=True, is_superuser=True).first())
    if manager is None:
        return
    service_policy = current.service_policy.replace(
        "包装外请注明 RMA 单号。", "包装外请注明 RMA 单号。寄出前请备份硬盘中的数据，我司不负责返修过程中的数据丢失。")
    policy_edit(actor=manager, texts={"service_policy": service_policy, "replacement_terms": current.replacement_terms,
                                      "free_repair_scope": current.free_repair_scope},
                checklist=format_checklist(checklist(current)), note=DEMO_POLICY_NOTE)
    out.write("Policy texts: version 2 (demo edit by a manager)\n")


STOCK_PER_MODEL = 6


def _stock_per_model(units: list[Any]) -> None:
    """Keep a few in-stock units of every model in use, so that each replacement ships its own model."""
    from shouhou.registry.models import Unit, UnitStatus
    from shouhou.registry.services import unit_create

    models = {u.product_model_id: u.product_model for u in units}
    for model in models.values():
        have = Unit.objects.filter(product_model=model, status=UnitStatus.IN_STOCK, replaces__isnull=True).count()
        for i in range(have, STOCK_PER_MODEL):
            unit_create(actor=None, serial=f"{model.code}-STOCK-{i + 1:03d}", product_model=model,
                        status=UnitStatus.IN_STOCK)


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
    _stock_per_model(units)
    spares = list(Unit.objects.filter(status=UnitStatus.IN_STOCK, replaces__isnull=True).order_by("-serial"))
    if staff is None or not units:
        out.write("RMA demo: no staff user or no demo units; skipped\n")
        return
    random.Random(2026).shuffle(units)  # a mix of models, the same on every load
    out.write("RMA demo orders:\n")
    demo = _Demo(_Pool(units, spares), staff, out)
    demo.closed()
    demo.recent()
    demo.open()
    demo.drafts()
    demo.receipts()
    out.write(f"RMA demo: {demo.count} service orders, {len(DRAFTS)} drafts\n")
    _policy_second_version(out)
