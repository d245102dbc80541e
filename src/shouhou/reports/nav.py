"""Left-navigation entries of the report pages (called from ReportsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shouhou.core.navigation import NAV_ITEMS, NavItem
from shouhou.core.roles import Role

READERS = frozenset({Role.MANAGER, Role.ADMIN})


def register_nav() -> None:
    items = [
        NavItem(_("报表"), _("管理看板"), "reports_dashboard", READERS),
        NavItem(_("报表"), _("质量分析"), "reports_quality", READERS),
        NavItem(_("报表"), _("代理商表现"), "reports_dealers", READERS),
    ]
    for item in items:
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
