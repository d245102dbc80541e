"""Users, API tokens and the audit trail."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from shouhou.core.roles import AUDIT_READERS, STAFF_ROLES, Role


class User(AbstractUser):
    """A person who signs in: vendor staff (by role) or a dealer's employee (bound to one dealer)."""

    name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    dealer = models.ForeignKey(
        "registry.Dealer",
        verbose_name=_("所属代理商"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("仅代理商账号填写：该账号只能看到此代理商的数据。"),
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_vendor_staff(self) -> bool:
        """Vendor staff see every dealer's data; nobody bound to a dealer ever is."""
        if self.dealer_id is not None:
            return False
        return self.is_superuser or bool(self.roles & STAFF_ROLES)

    @property
    def is_dealer_user(self) -> bool:
        return self.dealer_id is not None

    def has_role(self, *roles: str) -> bool:
        if self.dealer_id is not None:
            return Role.DEALER in roles
        # The dealer role needs a dealer: a staff account that was also put in the "dealer" group
        # (say in the Django admin) must not open the portal, where it would see every dealer's data.
        roles = tuple(r for r in roles if r != Role.DEALER)
        # A superuser holds every staff role, never the dealer's: the portal needs a user's own dealer.
        if self.is_superuser:
            return bool(set(roles) - {Role.DEALER})
        return bool(self.roles & set(roles))

    @property
    def may_read_audit(self) -> bool:
        return self.dealer_id is None and (self.is_superuser or bool(self.roles & AUDIT_READERS))


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, help_text=_("令牌开头几位，便于辨认；不能用于登录。"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One step on the audit trail, written in the same transaction as the change it records.

    Append-only: the queryset refuses update/delete, ``save`` refuses to overwrite, the admin
    offers no change or delete, and a database trigger refuses UPDATE.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=64)
    verb = models.CharField(_("动作"), max_length=60)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    # Lets a dealer's timeline be filtered without joining every object type.
    dealer = models.ForeignKey(
        "registry.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AuditEventQuerySet.as_manager()

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [
            # Used by an object's timeline: every event of one object, in order.
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            # Used by the audit log page, newest first.
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")
