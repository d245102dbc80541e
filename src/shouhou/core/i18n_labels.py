"""Labels that reach the UI from plain-Python modules (no Django there), marked for makemessages.

Templates translate them at render time (`{% translate coverage.label %}`); listing them here keeps
their msgids in the catalogue even if no model choice happens to share the same text.
"""

from django.utils.translation import gettext_noop

COVERAGE_LABELS = (
    gettext_noop("包换期内"),
    gettext_noop("保修期内"),
    gettext_noop("已过保"),
    gettext_noop("已停产"),
)
