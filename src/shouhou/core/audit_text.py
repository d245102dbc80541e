"""The audit trail in words: what happened (the verb), to what, and before → after by field label.

Events store machine data (``verb`` such as ``user.updated``, ``data`` with ``before``/``after``
dicts of field values); the audit log page and its export show them through these tables. A verb
or field without an entry reads as is, so a new event is never hidden, only less pretty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhou.core.roles import Role

# Whole verbs first; then "<object>.<action>" from the two tables below.
VERB_LABELS: dict[str, Any] = {
    "user.created": gettext_lazy("创建用户"),
    "user.updated": gettext_lazy("修改用户"),
    "user.deactivated": gettext_lazy("停用用户"),
    "user.activated": gettext_lazy("启用用户"),
    "user.password_reset_sent": gettext_lazy("发送重置密码链接"),
    "token.created": gettext_lazy("创建 API 令牌"),
    "token.revoked": gettext_lazy("吊销 API 令牌"),
    "login.unlocked": gettext_lazy("解除登录锁定"),
    "calendar.changed": gettext_lazy("修改工作日日历"),
    "case.opened": gettext_lazy("新建服务工单"),
    "order.submitted": gettext_lazy("提交售后服务单"),
    "order.draft_saved": gettext_lazy("保存售后服务单草稿"),
}
OBJECT_LABELS: dict[str, Any] = {
    "user": gettext_lazy("用户"), "token": gettext_lazy("API 令牌"), "case": gettext_lazy("服务工单"),
    "order": gettext_lazy("售后服务单"), "line": gettext_lazy("返修明细"), "unit": gettext_lazy("设备"),
    "dealer": gettext_lazy("代理商"), "product_model": gettext_lazy("产品型号"), "faq": gettext_lazy("常见问题"),
    "calendar": gettext_lazy("日历"), "quote": gettext_lazy("报价"), "mail": gettext_lazy("邮件"),
    "notify": gettext_lazy("通知"), "import": gettext_lazy("导入"), "registry": gettext_lazy("基础资料"),
}
ACTION_LABELS: dict[str, Any] = {
    "created": gettext_lazy("创建"), "updated": gettext_lazy("修改"), "deleted": gettext_lazy("删除"),
    "published": gettext_lazy("发布"), "unpublished": gettext_lazy("撤回"), "received": gettext_lazy("收货"),
    "shipped": gettext_lazy("发货"), "approved": gettext_lazy("审核通过"), "rejected": gettext_lazy("驳回"),
    "assigned": gettext_lazy("分派"), "closed": gettext_lazy("关闭"), "close": gettext_lazy("关闭"),
    "resolve": gettext_lazy("解决"), "reopen": gettext_lazy("重新打开"), "cancelled": gettext_lazy("取消"),
    "triaged": gettext_lazy("分诊"), "rated": gettext_lazy("评价"), "scrapped": gettext_lazy("报废"),
    "attachment_added": gettext_lazy("添加附件"), "note": gettext_lazy("备注"),
}
FIELD_LABELS: dict[str, Any] = {
    "name": gettext_lazy("姓名"), "email": gettext_lazy("邮箱"), "phone": gettext_lazy("电话"),
    "role": gettext_lazy("角色"), "dealer": gettext_lazy("所属代理商"), "is_active": gettext_lazy("状态"),
    "username": gettext_lazy("用户名"), "user": gettext_lazy("用户"), "prefix": gettext_lazy("令牌前缀"),
    "ip_address": gettext_lazy("地址"), "attempts": gettext_lazy("失败次数记录"),
    "state": gettext_lazy("状态"), "note": gettext_lazy("备注"), "reason": gettext_lazy("原因"),
    "version": gettext_lazy("版本"), "what": gettext_lazy("内容"), "year": gettext_lazy("年份"),
    "date": gettext_lazy("日期"), "kind": gettext_lazy("类型"), "source": gettext_lazy("来源"),
    "serial": gettext_lazy("序列号"), "condition": gettext_lazy("外观状况"), "owner": gettext_lazy("负责人"),
}
# Values shown by their label: field -> {value: label}.
CHOICE_LABELS: dict[str, Mapping[str, Any]] = {
    "role": dict(Role.choices),
    "is_active": {True: gettext_lazy("启用"), False: gettext_lazy("停用")},  # type: ignore[dict-item]
    "kind": {"company_off": gettext_lazy("公司休息"), "company_on": gettext_lazy("公司上班"),
             "holiday": gettext_lazy("放假"), "makeup": gettext_lazy("调休上班")},
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: not a before → after pair, just a value
    after: str


def verb_label(verb: str) -> str:
    if verb in VERB_LABELS:
        return str(VERB_LABELS[verb])
    obj, _sep, action = verb.partition(".")
    if obj in OBJECT_LABELS and action in ACTION_LABELS:
        # One pattern, so that a language that needs a space (or another order) can say so.
        return _("%(action)s%(object)s") % {"action": ACTION_LABELS[action], "object": OBJECT_LABELS[obj]}
    if obj in OBJECT_LABELS:
        return _("%(object)s：%(action)s") % {"object": OBJECT_LABELS[obj], "action": action}
    return verb


def object_label(object_type: str) -> str:
    """An object type such as ``core.user`` by its model's name (用户); unknown ones as is."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def value_text(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    choices = CHOICE_LABELS.get(field)
    if choices is not None and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Mapping):
        return "；".join(f"{field_label(k)}：{value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(field, v) for v in value)
    return str(value)


def changes(data: Mapping[str, Any]) -> list[Change]:
    """The event's data as lines: each field before → after, then the other values."""
    out: list[Change] = []
    before, after = data.get("before"), data.get("after")
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        b = before if isinstance(before, Mapping) else {}
        a = after if isinstance(after, Mapping) else {}
        for key in [*a, *(k for k in b if k not in a)]:
            out.append(Change(field_label(key), value_text(key, b.get(key)), value_text(key, a.get(key))))
    for key, value in data.items():
        if key in ("before", "after") and (isinstance(before, Mapping) or isinstance(after, Mapping)):
            continue
        out.append(Change(field_label(key), None, value_text(key, value)))
    return out
