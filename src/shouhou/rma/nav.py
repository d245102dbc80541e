"""Left-navigation entries of the service-order pages (called from RmaConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhou.core.navigation import NAV_ITEMS, NavItem
from shouhou.core.roles import Role

STAFF = frozenset({Role.CUSTOMER_SERVICE, Role.SUPPORT_ENGINEER, Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN})


def register_nav() -> None:
    items = [
        NavItem(pgettext_lazy("navigation", "售后服务单"), _("服务单队列"), "rma_queue", STAFF),
        NavItem(pgettext_lazy("navigation", "售后服务单"), _("签收"), "rma_receive", STAFF),
        NavItem(pgettext_lazy("navigation", "售后服务单"), _("未预约到货"), "rma_receipts",
                frozenset({Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN})),
        NavItem(pgettext_lazy("navigation", "售后服务单"), _("代录服务单"), "rma_order_new", STAFF),
        NavItem(pgettext_lazy("navigation", "售后服务单"), _("政策文本"), "policy_manage",
                frozenset({Role.MANAGER, Role.ADMIN})),
        NavItem(_("代理商门户"), _("我的服务单"), "portal_home", frozenset({Role.DEALER})),
        NavItem(_("代理商门户"), _("提交服务单"), "portal_order_new", frozenset({Role.DEALER})),
        NavItem(_("代理商门户"), pgettext_lazy("navigation", "通知"), "portal_notifications", frozenset({Role.DEALER})),
        NavItem(_("代理商门户"), _("售后服务政策"), "portal_policy", frozenset({Role.DEALER})),
    ]
    for item in items:
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
