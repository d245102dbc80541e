from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "shouhou.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES, Role
        from shouhou.workdays import demo

        items = [
            NavItem(_("系统设置"), _("工作日历"), "calendar_month", STAFF_ROLES),
            NavItem(_("系统设置"), _("法定节假日"), "calendar_years", frozenset({Role.ADMIN, Role.MANAGER})),
            NavItem(_("系统设置"), _("公司休息/上班日"), "company_days", frozenset({Role.ADMIN, Role.MANAGER})),
        ]
        NAV_ITEMS.extend(item for item in items if item not in NAV_ITEMS)
        if demo.ensure_calendar_settings not in bootstrap.SETUP_STEPS:
            bootstrap.SETUP_STEPS.append(demo.ensure_calendar_settings)
        if demo.load_demo_company_days not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo_company_days)
