"""Subjects and bodies of the notices the RMA process queues in the outbox (Chinese, for dealers).

Plain text; the mail app may wrap them in its templates. One function, keyed by notice kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from shouhou.rma.models import OrderLine
from shouhou.workdays import clock


def _when(value: Any) -> str:
    return clock.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def reference(line: OrderLine) -> str:
    """How a notice names the line: "RMA2026-000123 第 1 台 SN…", or the form's id before approval."""
    order = line.order
    number = order.number or _("服务单 #%(id)s") % {"id": order.pk}
    return _("%(number)s 第 %(position)s 台（%(serial)s）") % {
        "number": number, "position": line.position, "serial": line.serial}


def compose(kind: str, *, line: OrderLine, data: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notice of KIND about LINE; DATA is the step's validated fields."""
    ref = reference(line)
    order = line.order
    values = {"ref": ref, "number": order.number or "", "due": _when(line.due_at),
              "dealer_due": _when(line.dealer_due_at), **{k: v for k, v in data.items() if isinstance(v, str)}}
    if kind == "return_authorisation":
        subject = _("【同意返厂检测】%(ref)s") % values
        body = _("您的售后服务单已审核通过，RMA 单号 %(number)s。请在包装外注明 RMA 单号，"
                 "联系我司商务部发货至售后服务中心。") % values
        if line.path == "advance_replacement":
            body += _("\n我司同意提前换货，新机将于 %(due)s 前发出；请在收到新机后 3 个工作日内寄回故障件。") % values
    elif kind == "info_request":
        subject = _("【请补充资料】%(ref)s") % values
        body = _("审核需要补充以下资料：\n%(message)s\n补充后请重新提交服务单。") % values
    elif kind == "rejection_notice":
        subject = _("【服务单未通过审核】%(ref)s") % values
        body = _("原因：%(reason)s") % values
    elif kind == "cancellation_notice":
        subject = _("【服务单已取消】%(ref)s") % values
        body = _("原因：%(reason)s") % values
    elif kind == "quote":
        items = "\n".join(f"- {i['text']}：¥{i['amount']}" for i in data.get("items", ()))
        subject = _("【维修报价】%(ref)s") % values
        body = _("检测结果与报价如下：\n%(items)s\n合计：¥%(total)s\n报价有效期至 %(dealer_due)s。"
                 "请在门户中确认，或直接回复本邮件说明您的选择。") % {
            **values, "items": items, "total": data.get("total", "")}
    elif kind == "shipment_notice":
        subject = _("【发货通知】%(ref)s") % values
        body = _("已发出，承运商：%(carrier)s，运单号：%(tracking)s。") % values
        if data.get("replacement_serial"):
            body += _("\n新机序列号：%(replacement_serial)s") % values
        body += _("\n收到后请在门户中确认收货。")
    elif kind == "repair_tracking_sheet":
        subject = _("【返修跟踪单】%(ref)s") % values
        body = _("返修件已检测完毕，返修跟踪单见附件。")
    elif kind == "back_charge":
        subject = _("【追收维修费用】%(ref)s") % values
        body = _("提前换货的返修件检测发现不属于包换服务条款的损坏，需追收维修费用 ¥%(amount)s。\n原因：%(reason)s") % {
            **values, "amount": data.get("amount", "")}
    else:
        subject, body = ref, ""
    return subject[:200], body
