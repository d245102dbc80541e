"""`makemessages` that also extracts `_lazy("…")` (our alias of gettext_lazy; xgettext knows only `_`
and the gettext names). Everything else is Django's command; see docs/translations.md."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
