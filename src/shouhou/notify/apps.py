from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "shouhou.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES, Role
        from shouhou.notify import demo

        staff = frozenset(STAFF_ROLES)
        for item in [
            NavItem(_("通知"), _("收件箱"), "notify_inbox", staff),
            NavItem(_("通知"), _("发件箱"), "notify_outbox",
                    frozenset({Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN})),
            NavItem(_("通知"), _("代理商邮箱"), "notify_addresses", staff),
        ]:
            if item not in NAV_ITEMS:
                NAV_ITEMS.append(item)
        # `shouhou serve` retries due messages every minute; production runs `shouhou notify send` from cron.
        if not any(job.name == "notify.outbox_send" for job in bootstrap.PERIODIC):
            from shouhou.notify.tasks import outbox_send

            bootstrap.PERIODIC.append(bootstrap.Periodic("notify.outbox_send", 60, outbox_send.enqueue))
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
