"""The left navigation per role. Later apps add their entries to NAV_ITEMS."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouhou.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    section: str | Promise  # lazy translations: rendered in the reader's language
    label: str | Promise
    url_name: str
    roles: frozenset[str]  # empty: every signed-in user


NAV_ITEMS: list[NavItem] = [
    NavItem(_("工作台"), _("首页"), "dashboard", frozenset()),
    NavItem(_("管理"), _("用户"), "staff_users", frozenset({Role.ADMIN})),
    NavItem(_("管理"), _("角色"), "staff_roles", frozenset({Role.ADMIN})),
    NavItem(_("管理"), _("API 令牌"), "staff_tokens", frozenset({Role.ADMIN})),
    NavItem(_("管理"), _("登录锁定"), "staff_lockouts", frozenset({Role.ADMIN})),
    NavItem(_("管理"), _("审计日志"), "audit_log", frozenset({Role.MANAGER, Role.ADMIN})),
    NavItem(_("管理"), _("系统后台"), "admin:index", frozenset({Role.ADMIN})),
]


def items_for(user: object) -> list[tuple[str, list[dict[str, str]]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    for item in NAV_ITEMS:
        if item.roles and not user.has_role(*item.roles):  # type: ignore[attr-defined]
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(str(item.section), []).append({"label": str(item.label), "url": url,
                                                          "name": item.url_name})
    return list(sections.items())

