"""Case demo data for `shouhou serve --demo`: a week of contacts on every channel and status.

Runs after the registry and RMA demos (dealers, customers, units, staff) and drives each case
through the real services, opened in the last seven days at realistic hours (some outside
business hours, so their pickup time differs), some past their targets, one complaint about a
dealer linked to the case that prompted it. Idempotent: does nothing once any case exists.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

# days ago, hour, channel, type, subject, description, steps (event, fields)
Script = tuple[int, float, str, str, str, str, list[tuple[str, dict[str, Any]]]]

RESOLVE_FAQ = ("resolve", {"resolution": "按常见问题《无盘客户机启动蓝屏》重新设置网卡启动顺序后正常",
                           "category": "resolved_by_faq"})
SCRIPTS: list[Script] = [
    (0, 9.5, "hotline", "fault", "无盘客户机启动蓝屏", "网吧 60 台客户机无盘启动到桌面前蓝屏，代码 0x7B。", []),
    (0, 11.2, "qq", "consultation", "RAID 重建需要多长时间", "更换一块硬盘后阵列在重建，想知道大约多久。",
     [("accept", {}), ("note", {"text": "QQ：用户问 RAID5 4 块 4T 重建时长，已告知约 6–8 小时", "kind": "qq"})]),
    (0, 20.5, "web", "fault", "服务器风扇噪音大", "晚上营业时风扇一直高速运转。", []),
    (1, 10.4, "hotline", "fault", "万兆网口无链接", "更换网线和交换机端口后仍无链接灯。",
     [("accept", {}), ("log_call", {"minutes": 14, "text": "排查网线、光模块，怀疑网卡故障"}),
      ("wait", {"on": "customer"})]),
    (1, 15.0, "portal", "repair", "申请返修：内存报错", "自检报 DIMM_A2 错误，已更换插槽仍报错。",
     [("accept", {}), ("resolve", {"resolution": "已转售后服务单返厂检测", "category": "service_order"})]),
    (2, 10.8, "hotline", "consultation", "计费系统与服务器时间不同步", "计费网管显示时间比服务器慢 5 分钟。",
     [("accept", {}), ("log_call", {"minutes": 6, "text": "指导开启 NTP 同步"}),
      ("resolve", {"resolution": "开启 NTP 同步后正常", "category": "configuration"}), ("close", {})]),
    (2, 14.3, "email", "fault", "硬盘指示灯红色", "三号盘位指示灯常亮红色。",
     [("forward_to_dealer", {"note": "请代理商上门确认硬盘状态并更换"})]),
    (3, 9.0, "qq", "fault", "开机无显示", "主板诊断灯停在 C1。",
     [("accept", {}), ("note", {"text": "QQ：已让用户重新插拔内存", "kind": "qq"})]),
    (3, 16.7, "hotline", "fault", "客户机频繁掉线", "高峰期客户机成批掉线，重启服务器后恢复。",
     [("accept", {}), ("log_call", {"minutes": 22, "text": "检查交换机和无盘软件日志"}), RESOLVE_FAQ, ("close", {})]),
    (4, 12.0, "api", "fault", "云管理平台告警：温度过高", "云管理平台推送 CPU 温度 92℃ 告警。", []),
    (4, 17.9, "hotline", "fault", "误删网卡驱动后无法上网", "网管误删驱动，客户机全部无法启动。",
     [("accept", {}), ("resolve", {"resolution": "远程协助重新安装驱动", "category": "remote_fix"})]),
    (5, 10.3, "web", "consultation", "保修期查询", "想确认设备还在不在保修期内。",
     [("accept", {}), ("resolve", {"resolution": "已告知保修截止日期", "category": "other"}), ("close", {})]),
    (5, 13.5, "hotline", "repair", "电源故障申请维修", "电源无输出，需要维修。",
     [("accept", {}), ("wait", {"on": "dealer"})]),
    (6, 11.0, "qq", "fault", "数据盘无法识别", "无盘服务器数据盘在系统中消失。",
     [("accept", {}), ("note", {"text": "QQ：已指导用户通过云管理平台执行恢复数据", "kind": "qq"})]),
    (6, 19.2, "email", "consultation", "如何升级 BIOS", "想升级到最新 BIOS，是否有风险。", []),
]


# Contacts put through to a team (按 3 号键接入技术支持中心; QQ's 技术部 / 客户服务部): unowned, in
# the team's queue. (team, hours ago, channel, subject, description)
TEAM_SCRIPTS = [
    ("support", 0.5, "hotline", "按 3 号键转技术支持：服务器反复重启",
     "网吧服务器每隔半小时自动重启，事件日志有 41 号错误。"),
    ("support", 3.0, "qq", "技术部：RAID 卡告警", "QQ 选择技术部，反映 RAID 卡告警灯闪烁。"),
    ("service", 1.0, "qq", "客户服务部：发票和保修卡补寄", "QQ 选择客户服务部，要求补寄保修卡。"),
    ("centre", 2.0, "email", "寄修进度查询", "发到售后服务中心邮箱：上周寄回的电源何时修好？"),
]
# Team members by role.
TEAM_ROLES = {"service": "customer_service", "support": "support_engineer", "centre": "service_center"}


def load_teams(out: TextIO, *, actor: Any, customers: list[Any], now: datetime) -> None:
    """Members for the default teams by role, and a few unowned cases waiting in their queues."""
    from shouhou.cases import services
    from shouhou.cases.models import Team
    from shouhou.core.models import User

    for key, role in TEAM_ROLES.items():
        team = Team.objects.filter(key=key).first()
        if team is not None:
            team.members.add(*User.objects.filter(is_active=True, dealer__isnull=True, groups__name=role))
    for i, (key, hours, channel, subject, description) in enumerate(TEAM_SCRIPTS):
        if not Team.objects.filter(key=key, active=True).exists():
            continue
        customer = customers[(i * 7) % len(customers)]
        services.case_open(actor=actor, channel=channel, case_type="fault", subject=subject,
                           description=description, team=key,
                           reporter=services.Reporter(customer.contact_name or customer.name, customer.phone),
                           opened_at=now - timedelta(hours=hours), now=now)
    out.write(f"Case demo: teams with members and {len(TEAM_SCRIPTS)} team cases\n")


def _at(now: datetime, tz: Any, days_ago: int, hour: float) -> datetime:
    day = now.astimezone(tz).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tz)


def load_demo(out: TextIO) -> None:
    from shouhou.cases import services
    from shouhou.cases.models import Case
    from shouhou.cases.policy import work_calendar
    from shouhou.core.models import User
    from shouhou.registry.models import Customer, Unit

    if Case.objects.exists():
        return
    staff = list(User.objects.filter(is_active=True, dealer__isnull=True,
                                     groups__name__in=["customer_service", "support_engineer"]).distinct()
                 .order_by("username"))
    customers = list(Customer.objects.exclude(phone="").order_by("pk")[:40])
    if not staff or not customers:
        out.write("Case demo: no staff or no customers; skipped\n")
        return
    rng = random.Random(2026)
    now, tz = timezone.now(), work_calendar().tz
    units = {c.pk: list(Unit.objects.filter(customer=c).order_by("serial")[:1]) for c in customers}
    made: list[Case] = []
    with transaction.atomic():
        # Oldest first, so that numbers follow the opening times.
        scripts = sorted(SCRIPTS, key=lambda s: (-s[0], s[1]))
        for i, (days_ago, hour, channel, case_type, subject, description, steps) in enumerate(scripts):
            customer = customers[i % len(customers)]
            unit = units[customer.pk][0] if units[customer.pk] else None
            opened = min(_at(now, tz, days_ago, hour), now - timedelta(minutes=5))
            actor = staff[i % len(staff)]
            case = services.case_open(
                actor=actor, channel=channel, case_type=case_type, subject=subject, description=description,
                reporter=services.Reporter(customer.contact_name or customer.name, customer.phone,
                                           qq=str(rng.randint(10_000_000, 99_999_999)) if channel == "qq" else ""),
                serial=unit.serial if unit else "", region=customer.region_code, opened_at=opened, now=now)
            for k, (event, fields) in enumerate(steps, start=1):
                if event == "forward_to_dealer" and case.dealer_id is None:
                    continue
                # The first step within the hour after pickup; one case in three answered late.
                step_at = min(case.pickup_at + timedelta(minutes=(100 if i % 3 == 0 else 25) * k), now)
                case = services.case_apply(case=case, event=event, actor=actor, version=case.version,
                                           fields=fields, now=step_at)
            made.append(case)
        dealt = next((c for c in made if c.dealer_id is not None and c.status == "accepted"), None)
        if dealt is not None:
            services.complaint_open(case=dealt, actor=staff[0], subject="投诉：代理商两天未上门",
                                    description="用户称多次联系代理商，承诺上门但一直没来。")
        load_teams(out, actor=staff[0], customers=customers, now=now)
    out.write(f"Case demo: {len(made)} cases and a complaint\n")
