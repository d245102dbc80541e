"""django-axes under a Chinese name in the Django admin.

Axes ships no Simplified Chinese catalogue, so the admin showed "AXES" and "Access attempts". The
app's name is set here (an AppConfig's verbose_name is not part of migrations); its model and
field names come from the catalogue in ``shouhou/core/axes_locale`` (listed in LOCALE_PATHS).
"""

from __future__ import annotations

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("登录锁定")
