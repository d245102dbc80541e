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
STAFF = frozenset({Role.CUSTOMER_SERVICE, Role.SUPPORT_ENGINEER, Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN})


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
        NavItem(_("客服"), _("团队队列"), "case_team_queue", STAFF),
        NavItem(_("管理"), _("团队"), "team_list", frozenset({Role.MANAGER, Role.ADMIN})),
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
    team_sample = {"number": "C2026-000124", "subject": "服务器无法启动", "team": "技术支持中心",
                   "due": "2026-03-02 10:30", "staff_url": "/cases/8/"}
    team_rule = (notify_events.DefaultRule("team"),)
    notify_events.register(notify_events.EventType(
        "case.team_reminder", _("团队案例待领取"), team_sample, team_rule))
    notify_events.register(notify_events.EventType(
        "case.team_overdue", _("团队案例超时未响应（升级）"), team_sample,
        (notify_events.DefaultRule("team"), notify_events.DefaultRule("role", Role.MANAGER))))
    # `shouhou serve` sweeps unowned team cases every 5 minutes (their targets are in minutes).
    if not any(job.name == "cases.team_cases_sweep" for job in bootstrap.PERIODIC):
        from shouhou.cases.tasks import team_cases_sweep

        bootstrap.PERIODIC.append(bootstrap.Periodic("cases.team_cases_sweep", 5 * 60, team_cases_sweep.enqueue))
    # After the registry and rma demos, which create the dealers and units.
    if demo.load_demo not in bootstrap.DEMO_STEPS:
        bootstrap.DEMO_STEPS.append(demo.load_demo)
