"""The rma app's error texts and field labels, registered with `shouhou.core.errors`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shouhou.core import errors

MESSAGES = {
    "bad_damage": _("损坏类别无效。"),
    "quote_needs_items": _("报价至少需要一个项目。"),
    "quote_item_incomplete": _("每个报价项目都需要内容和金额。"),
    "bad_options": _("报价方案只能是收费换货和/或有偿维修。"),
    "bad_choice": _("请选择收费换货或有偿维修。"),
    "not_positive": _("%(label)s须大于零。"),
    "options_not_offered": _("此报价只能提供：%(options)s。"),
    "choice_not_offered": _("所选方案不在本报价中。"),
    "quote_expired": _("报价已过有效期，请重新报价。"),
}

LABELS = {
    "reason": _("原因"),
    "message": _("说明"),
    "carrier": _("承运商"),
    "tracking": _("运单号"),
    "condition": _("签收情况"),
    "fault_confirmed": _("故障确认"),
    "damage": _("损坏类别"),
    "components": _("故障部件"),
    "items": _("报价项目"),
    "text": _("项目内容"),
    "amount": _("金额"),
    "options": _("报价方案"),
    "valid_days": _("有效天数"),
    "choice": _("方案"),
    "scrap": _("报废"),
    "replacement_serial": _("新机序列号"),
    "other_model_reason": _("换用其他型号的理由"),
    "parts": _("更换部件"),
    "result": _("维修结果"),
    "advance": _("提前换货"),
    "version": _("版本号"),
}


def register() -> None:
    errors.register(messages=MESSAGES, labels=LABELS)
