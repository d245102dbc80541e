"""What users read when something is refused: composed at the edge from an error's code.

Domain and service errors (`shouhou.domain.errors`) carry a stable `code`, a finer `reason` and
their parameters (`extra`: the field, a maximum, the allowed events…); their own message is
English, for logs. ``message(exc)`` renders the text for the user in the active language
(Chinese by default) from a template registered for the reason; apps register the reasons and
field labels of their own.
An error without a registered template (services already raise translated text) reads as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhou.domain.errors import ShouhouError

_MESSAGES: dict[str, Any] = {
    "required": _("请填写%(label)s。"),
    "not_text": _("%(label)s须为文本。"),
    "too_long": _("%(label)s不能超过 %(max)s 个字符。"),
    "not_bool": _("%(label)s须为是或否。"),
    "not_amount": _("%(label)s须为金额。"),
    "negative": _("%(label)s不能为负数。"),
    "too_large": _("%(label)s不能超过 %(max)s。"),
    "decimal_places": _("%(label)s最多两位小数。"),
    "not_text_list": _("%(label)s须为非空文本的列表。"),
    "not_integer": _("%(label)s须为整数。"),
    "out_of_range": _("%(label)s须在 0 到 %(max)s 之间。"),
    "too_many": _("%(label)s最多 %(max)s 项。"),
    "naive_time": _("%(label)s须包含时区。"),
    "in_future": _("%(label)s不能晚于当前时间。"),
    "before_previous": _("%(label)s不能早于上一步操作的时间（%(previous)s）。"),
    "unknown_field": _("此操作没有字段 %(field)s。"),
    "date_out_of_range": _("日期超出日历可表示的范围。"),
    "stale_version": _("该记录已被他人修改（当前版本 %(version)s），请刷新后重试。"),
    "illegal_event": _("当前状态不允许此操作；现在可以：%(allowed)s。"),
    "unknown_event": _("没有这个操作；现在可以：%(allowed)s。"),
}
_LABELS: dict[str, Any] = {
    "at": _("操作时间"),
    "now": _("当前时间"),
    "replacement_days": _("包换期（天）"),
    "warranty_months": _("保修期（月）"),
}


def register(*, messages: Mapping[str, Any] = {}, labels: Mapping[str, Any] = {}) -> None:
    """Add an app's error templates (code -> lazy text with named placeholders) and field labels."""
    _MESSAGES.update(messages)
    _LABELS.update(labels)


def label(field: str) -> str:
    return str(_LABELS.get(field, field))


def message(exc: ShouhouError, *, names: Mapping[str, Any] | None = None) -> str:
    """EXC as the user reads it, in the active language. NAMES translates values such as
    event names in `allowed` (event -> label)."""
    template = _MESSAGES.get(exc.reason)
    if template is None:
        return str(exc)
    params: dict[str, Any] = dict(exc.extra)
    params["label"] = label(str(params.get("field") or ""))
    if "allowed" in params:
        allowed = [str((names or {}).get(a, a)) for a in params["allowed"]]
        params["allowed"] = "、".join(allowed) if allowed else _("无")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):  # a template and its error out of step: say what we know
        return str(exc)
