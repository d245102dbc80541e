"""`{% report_form unit %}`: the 扫码报修 form on the public unit page (registry's template), with a
fresh bot-challenge token, or the values, errors and token of a refused submission."""

from __future__ import annotations

from typing import Any

from django import template

from shouhou.cases import challenge
from shouhou.cases.services import MAX_REPORT_PHOTOS

register = template.Library()
FIELDS = ("name", "phone", "description")


@register.inclusion_tag("cases/_report_form.html", takes_context=True)
def report_form(context: template.Context, unit: Any) -> dict[str, Any]:
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "unit": unit,
        "values": {**dict.fromkeys(FIELDS, ""), **(context.get("report") or {})},
        "errors": {**dict.fromkeys((*FIELDS, "photos", "challenge", "form"), ""),
                   **(context.get("report_errors") or {})},
        "token": context.get("report_token") or challenge.issue(unit.serial),
        "honeypot": challenge.HONEYPOT,
        "max_photos": MAX_REPORT_PHOTOS,
    }
