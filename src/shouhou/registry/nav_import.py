"""The "批量导入" navigation item; call register() from RegistryConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

IMPORT_ROLES = frozenset({"service_center", "manager", "admin"})


def register() -> None:
    from shouhou.core.navigation import NAV_ITEMS, NavItem

    item = NavItem(_("档案"), _("批量导入"), "import_upload", IMPORT_ROLES)
    if item not in NAV_ITEMS:
        NAV_ITEMS.append(item)
