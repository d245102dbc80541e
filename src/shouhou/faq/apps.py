from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "shouhou.faq"
    label = "faq"
    verbose_name = "常见问题"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES, Role
        from shouhou.faq import demo

        editors = frozenset({Role.SUPPORT_ENGINEER, Role.MANAGER, Role.ADMIN})
        items = [
            # The support engineers' own section; the cases app adds its triage queue to it.
            NavItem(_("技术支持"), _("常见问题管理"), "faq_manage", editors),
            NavItem(_("代理商门户"), _("常见问题"), "faq_index", frozenset({Role.DEALER})),
            NavItem(_("公众服务"), _("常见问题"), "faq_index", frozenset(STAFF_ROLES)),
        ]
        for item in items:
            if item not in NAV_ITEMS:
                NAV_ITEMS.append(item)
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
