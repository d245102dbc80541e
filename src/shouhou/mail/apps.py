from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "shouhou.mail"
    label = "mail"
    verbose_name = "邮件收取"

    def ready(self) -> None:
        from django.conf import settings
        from django.utils.translation import gettext_lazy as _

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES

        item = NavItem(_("邮件"), _("收件记录"), "mail_inbound_log", STAFF_ROLES)
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
        # `shouhou serve` polls the mailbox when IMAP_URL is set; production may run `shouhou mail fetch`
        # from cron instead (docs/mail.md).
        if getattr(settings, "IMAP_URL", "") and not any(job.name == "mail.fetch" for job in bootstrap.PERIODIC):
            from shouhou.mail.tasks import mail_fetch

            bootstrap.PERIODIC.append(bootstrap.Periodic("mail.fetch", settings.IMAP_POLL_SECONDS,
                                                         mail_fetch.enqueue))
