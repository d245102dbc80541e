"""Report filters from a query string, shared by the pages, the exports and the API.

The domain refuses a bad period with a stable code; here it gets its Chinese message, so the
pages show it and the API returns it beside the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from shouhou.domain.errors import Invalid
from shouhou.domain.reports import MAX_PERIOD_DAYS
from shouhou.reports.selectors import Filters, filters_for
from shouhou.workdays import clock


def _message(code: str) -> str:
    messages = {
        "bad_date": _("日期格式应为 YYYY-MM-DD，例如 2025-11-30。"),
        "period_reversed": _("开始日期不能晚于结束日期。"),
        "period_too_long": _("统计区间最长 %(days)s 天，请缩短区间。") % {"days": MAX_PERIOD_DAYS},
    }
    return messages.get(code, _("查询条件有误。"))


def read_filters(user: Any, data: Mapping[str, Any]) -> Filters:
    """Filters from DATA (`from`, `to`, `dealer`, `model`, `region`); raises Invalid (422, with
    the domain's code and a Chinese message) or NotFound (404) as `filters_for` does."""
    today = clock.today()
    try:
        return filters_for(user, first=data.get("from"), last=data.get("to"), dealer=data.get("dealer") or "",
                           model=data.get("model") or "", region=data.get("region") or "", today=today)
    except Invalid as exc:
        code = str(exc.extra.get("code", exc.code))
        raise Invalid(_message(code), **exc.extra) from None
