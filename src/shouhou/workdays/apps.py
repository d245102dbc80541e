from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "shouhou.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES
        from shouhou.workdays import demo

        # One entry: the calendar pages share tabs (years, import, company days, settings for editors).
        item = NavItem(_("系统设置"), _("工作日历"), "calendar_month", STAFF_ROLES)
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
        if demo.ensure_calendar_settings not in bootstrap.SETUP_STEPS:
            bootstrap.SETUP_STEPS.append(demo.ensure_calendar_settings)
        if demo.load_demo_company_days not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo_company_days)
