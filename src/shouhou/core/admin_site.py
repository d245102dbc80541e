from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class ShouhouAdminSite(admin.AdminSite):
    site_header = "售后管理后台"
    site_title = "售后"
    index_title = "系统后台"

    def has_permission(self, request: HttpRequest) -> bool:
        # A dealer's account never opens the back office, even if someone ticks is_staff on it.
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "dealer_id", None) is None)


class ShouhouAdminConfig(AdminConfig):
    default_site = "shouhou.core.admin_site.ShouhouAdminSite"
