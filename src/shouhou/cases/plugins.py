"""How the cases app plugs into core: navigation, dashboard, unit history, caller recognition,
demo data.

Called once from CasesConfig.ready(); core never imports this app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shouhou.core.navigation import NAV_ITEMS, NavItem
from shouhou.core.roles import Role

CUSTOMER_SERVICE = frozenset({Role.CUSTOMER_SERVICE, Role.MANAGER, Role.ADMIN})
SUPPORT = frozenset({Role.SUPPORT_ENGINEER, Role.MANAGER, Role.ADMIN})


def register() -> None:
    from shouhou.cases import callers, dashboard, demo, history
    from shouhou.core import bootstrap
    from shouhou.core import dashboard as core_dashboard
    from shouhou.notify import events as notify_events
    from shouhou.registry import history as unit_history
    from shouhou.registry.callers import register_caller_provider

    items = [
        NavItem(_("客服"), _("服务案例"), "case_list", CUSTOMER_SERVICE),
        NavItem(_("客服"), _("我的案例"), "case_mine", CUSTOMER_SERVICE),
        NavItem(_("客服"), _("来电登记"), "intake", CUSTOMER_SERVICE),
        NavItem(_("技术支持"), _("排查队列"), "case_triage_queue", SUPPORT),
        NavItem(_("技术支持"), _("我的案例"), "case_mine", frozenset({Role.SUPPORT_ENGINEER})),
        NavItem(_("代理商门户"), _("服务案例"), "portal_cases", frozenset({Role.DEALER})),
    ]
    for item in items:
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
    core_dashboard.register(dashboard.panel)
    unit_history.register(history.unit_cases)
    register_caller_provider("open_cases", callers.open_cases)
    notify_events.register(notify_events.EventType(
        "case.satisfaction", _("满意度回访"),
        {"number": "C2026-000123", "subject": "无盘客户机启动蓝屏", "url": "https://example.cn/rate/abc",
         "expires": "2026-03-01 18:30"},
        notify_events.NAMED_MAIL))
    # After the registry and rma demos, which create the dealers and units.
    if demo.load_demo not in bootstrap.DEMO_STEPS:
        bootstrap.DEMO_STEPS.append(demo.load_demo)
