from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "shouhou.mail"
    label = "mail"
    verbose_name = "邮件收取"

    def ready(self) -> None:
        from django.conf import settings
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core import dashboard as core_dashboard
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES
        from shouhou.mail import dashboard, demo

        item = NavItem(_("邮件"), _("收件记录"), "mail_inbound_log", STAFF_ROLES)
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
        from shouhou.mail.tasks import register_periodic

        register_periodic(settings, bootstrap.PERIODIC)
        core_dashboard.register(dashboard.panel)
        # After the RMA demo, whose numbered orders the demo replies thread to.
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
