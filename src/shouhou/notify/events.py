"""The catalogue of events: their names, what staff call them, sample data for the template
preview, and the rules a fresh installation starts with.

A feature that emits a new event adds it here with a template file per language under
``notify/templates/notify/messages/<event>.<language>.html`` (partials ``subject`` and
``text``, optionally ``html``). Admins change the rules and the templates afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouhou.core.roles import Role


@dataclass(frozen=True)
class DefaultRule:
    audience: str
    role: str = ""
    inbox: bool = True
    email: bool = True


@dataclass(frozen=True)
class EventType:
    name: str
    label: str | Promise
    sample: dict[str, Any] = field(default_factory=dict)
    rules: tuple[DefaultRule, ...] = ()


_LINE = {"number": "RMA2026-000123", "order_id": 42, "position": 1, "serial": "SN-S200-000001",
         "portal_url": "/portal/orders/42/", "staff_url": "/rma/orders/42/"}
DEALER = (DefaultRule("dealer"),)
NAMED = (DefaultRule("named"),)
NAMED_MAIL = (DefaultRule("named", inbox=False),)

_EVENTS = [
    EventType("rma.return_authorisation", _("同意返厂检测"),
              {**_LINE, "advance": True, "due": "2026-02-14 18:30", "faulty_return_wd": 3}, DEALER),
    EventType("rma.info_request", _("请补充资料"), {**_LINE, "number": "", "message": "请上传配置拓扑图"}, DEALER),
    EventType("rma.rejection_notice", _("服务单未通过审核"),
              {**_LINE, "number": "", "reason": "序列号与型号不符", "policy_version": 1,
               "policy_url": "https://example.cn/policy/?v=1"}, DEALER),
    EventType("rma.cancellation_notice", _("服务单已取消"), {**_LINE, "reason": "代理商撤回"}, DEALER),
    EventType("rma.quote", _("维修报价"),
              {**_LINE, "items": [{"text": "更换主板", "amount": "680.00"}, {"text": "检测费", "amount": "50.00"}],
               "total": "730.00", "dealer_due": "2026-02-28 23:59", "policy_version": 1,
               "policy_url": "https://example.cn/policy/?v=1"}, DEALER),
    EventType("rma.shipment_notice", _("发货通知"),
              {**_LINE, "carrier": "顺丰速运", "tracking": "SF1234567890", "replacement_serial": "SN-S200-000777"},
              DEALER),
    EventType("rma.repair_tracking_sheet", _("返修跟踪单"), dict(_LINE), DEALER),
    EventType("rma.form_requested", _("请补交售后服务单（未预约到货）"),
              {"receipt_id": 7, "serial": "SN-S200-000001", "carrier": "顺丰速运", "tracking": "SF1234567890",
               "condition": "外箱完好", "received": "2026-02-10 14:20",
               "portal_url": "/portal/orders/new/?serial=SN-S200-000001", "staff_url": "/rma/receipts/7/",
               "policy_url": "https://example.cn/policy/", "policy_version": 1}, DEALER),
    EventType("rma.back_charge", _("追收维修费用"), {**_LINE, "amount": "680.00", "reason": "主板进液"}, DEALER),
    EventType("deadline.dealer_reminder", _("代理商期限今日到期"),
              {**_LINE, "kind": "faulty_return", "kind_label": "寄回故障件", "due": "2026-02-26 18:30"}, DEALER),
    EventType("deadline.dealer_overdue", _("代理商期限已过"),
              {**_LINE, "kind": "faulty_return", "kind_label": "寄回故障件", "due": "2026-02-26 18:30"},
              (DefaultRule("dealer"), DefaultRule("role", Role.MANAGER))),
    EventType("deadline.staff_reminder", _("我方期限今日到期"),
              {**_LINE, "kind": "ship", "kind_label": "发货", "due": "2026-02-26 18:30"}, NAMED),
    EventType("deadline.staff_overdue", _("我方期限已过（升级）"),
              {**_LINE, "kind": "ship", "kind_label": "发货", "due": "2026-02-26 18:30"},
              (DefaultRule("named"), DefaultRule("role", Role.MANAGER))),
    EventType("case.assigned", _("案例转交给您"),
              {"number": "C2026-000456", "subject": "网吧服务器频繁重启", "note": "请跟进硬件检测", "from": "李晓燕",
               "staff_url": "/cases/7/"}, NAMED),
    EventType("notify.delivery_failed", _("消息多次发送失败"),
              {"failed_event": "rma.quote", "recipient": "a@dealer-a.cn", "tries": 8,
               "error": "550 mailbox unavailable",
               "staff_url": "/notify/outbox/?state=failed"},
              (DefaultRule("role", Role.ADMIN, email=False),)),
    EventType("notify.test", _("测试消息"), {"sent_by": "admin"}, NAMED_MAIL),
    EventType("account.password_reset", _("重置密码"),
              {"username": "alice", "reset_url": "https://example.cn/accounts/password/reset/MQ/abc-123/"},
              NAMED_MAIL),
    # Notices written before the outbox existed, kept word for word (no rules: nothing new is sent).
    EventType("notify.legacy", _("迁移前的通知"), {"subject": "【同意返厂检测】RMA2026-000123", "body": "……"}),
    EventType("mail.reply", _("邮件自动回复"),
              {"original_subject": "售后服务单", "items": ["第 2 行：缺少序列号", "缺少配置拓扑图"]}, NAMED_MAIL),
]

EVENTS: dict[str, EventType] = {e.name: e for e in _EVENTS}


def register(event: EventType) -> None:
    """Add an event of another app (its templates ship with that app)."""
    EVENTS.setdefault(event.name, event)


def choices() -> list[tuple[str, str]]:
    return [(e.name, f"{e.label}（{e.name}）") for e in EVENTS.values()]
