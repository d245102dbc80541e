"""Roles are Django groups created by a migration; a user holds one or more of them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("客服")
    SUPPORT_ENGINEER = "support_engineer", _("技术支持")
    SERVICE_CENTER = "service_center", _("售后服务中心")
    MANAGER = "manager", _("经理")
    ADMIN = "admin", _("管理员")
    DEALER = "dealer", _("代理商")
    # A machine account of an integration (the cloud-management platform): no staff pages, no dealer
    # data; its token may push unit snapshots. Created with the registry's snapshots.
    INTEGRATION = "integration", _("系统集成")


STAFF_ROLES = frozenset(
    {Role.CUSTOMER_SERVICE, Role.SUPPORT_ENGINEER, Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN}
)
# Who may read the audit trail.
AUDIT_READERS = frozenset({Role.MANAGER, Role.ADMIN})
# Roles held by people: who notifications, menus and rules may address (not machine accounts).
PERSON_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.INTEGRATION]
