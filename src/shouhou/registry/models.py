"""Registry: dealers now; product models, units, regions and customers grow here."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

dealer_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", _("代码只能包含字母、数字、下划线和连字符，最长 32 位。")
)


class Dealer(models.Model):
    """A regional dealer (代理商): sells units and is the end user's first point of contact."""

    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[dealer_code_validator])
    name = models.CharField(_("名称"), max_length=200)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # The dealer scoping layer reads this to restrict querysets; see shouhou.core.scoping.
    dealer_scope = "pk"

    class Meta:
        verbose_name = _("代理商")
        verbose_name_plural = _("代理商")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
