"""Registry: product models, units (serials), dealers and the regions they serve, customers.

Regions are not a table: codes are GB/T 2260 codes checked against the data shipped in
``shouhou.domain.regions`` (a province like 450000 or a prefecture-level city like 450100).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from shouhou.domain import coverage as cov
from shouhou.domain.errors import NotFound
from shouhou.domain.parsing import normalize_serial as normalize_serial  # one rule for every edge
from shouhou.domain.phones import phone_key
from shouhou.domain.regions import region as region_lookup

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", _("代码只能包含字母、数字、点、下划线和连字符，最长 32 位。")
)
dealer_code_validator = code_validator
serial_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_/.-]{2,63}$", _("序列号只能包含字母、数字和 - _ / .，长度 3–64 位。")
)


def validate_region_code(value: str) -> None:
    try:
        region_lookup(value)
    except NotFound as exc:
        raise ValidationError(_("地区代码 %(code)s 不存在。"), params={"code": value}) from exc


class PhoneKeyField(models.CharField):
    """The match key (``shouhou.domain.phones.phone_key``) of the phone in field SOURCE, kept in step
    on every save: services, imports (``update_or_create``, ``bulk_create``) and the admin all call
    ``pre_save``, which fills it, as ``auto_now`` fills a date. Not editable; ``QuerySet.update`` and
    ``bulk_update`` of the phone must name the key too (nothing in Shouhou writes phones that way)."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", 32), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = phone_key(getattr(model_instance, self.source) or "")[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


def phone_key_index(model: str, field: str) -> models.Index:
    """The index serving callers_for (exact key) and the staff search (key prefix) on FIELD.
    varchar_pattern_ops lets PostgreSQL use it for LIKE 'prefix%' under any collation; other
    databases ignore the operator class. Rows without a phone are left out."""
    return models.Index(fields=[field], name=f"{model}_{field}_idx", opclasses=["varchar_pattern_ops"],
                        condition=~Q(**{field: ""}))


class ProductModel(models.Model):
    """A product model (产品型号) and its coverage terms; units may override the periods."""

    code = models.CharField(_("型号代码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    replacement_days = models.PositiveIntegerField(
        _("包换期（天）"), help_text=_("自保修起始日起可免费换新的天数；0 表示不提供包换。"),
        validators=[MaxValueValidator(cov.MAX_REPLACEMENT_DAYS)],
    )
    warranty_months = models.PositiveIntegerField(_("保修期（月）"), help_text=_("自保修起始日起的保修月数。"),
                                                  validators=[MaxValueValidator(cov.MAX_WARRANTY_MONTHS)])
    discontinued_on = models.DateField(
        _("停产日期"), null=True, blank=True,
        help_text=_("停产后过保产品不再保证维修（可尽力维修或婉拒）。"),
    )
    replacement_terms = models.TextField(_("包换服务条款"), blank=True)
    free_repair_scope = models.TextField(_("免费维修范围"), blank=True)
    active = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("产品型号")
        verbose_name_plural = _("产品型号")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(replacement_days__lte=cov.MAX_REPLACEMENT_DAYS,
                            warranty_months__lte=cov.MAX_WARRANTY_MONTHS),
                name="product_model_periods_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def terms(self) -> cov.Terms:
        return cov.Terms(self.replacement_days, self.warranty_months, self.discontinued_on)


class Dealer(models.Model):
    """A regional dealer (代理商): sells units and is the end user's first point of contact."""

    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[dealer_code_validator])
    name = models.CharField(_("名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    mobile = models.CharField(_("手机"), max_length=50, blank=True)
    phone_key = PhoneKeyField(_("电话（匹配用）"), source="phone")
    mobile_key = PhoneKeyField(_("手机（匹配用）"), source="mobile")
    email = models.EmailField(_("邮箱"), blank=True)
    cc_emails = models.CharField(
        _("抄送邮箱"), max_length=500, blank=True, help_text=_("多个邮箱用逗号分隔；通知会同时发送到这些地址。")
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    region_code = models.CharField(
        _("所在地区"), max_length=6, blank=True, validators=[validate_region_code]
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # The dealer scoping layer reads this to restrict querysets; see shouhou.core.scoping.
    dealer_scope = "pk"

    class Meta:
        verbose_name = _("代理商")
        verbose_name_plural = _("代理商")
        ordering = ["code"]
        indexes = [
            # Used by callers_for (a call from the dealer's phone) and the staff dealer search.
            phone_key_index("dealer", "phone_key"),
            # Used by callers_for (a call from the dealer's mobile) and the staff dealer search.
            phone_key_index("dealer", "mobile_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DealerContact(models.Model):
    """A person at a dealer whom staff call or who calls the hotline (besides the dealer's main contact)."""

    dealer = models.ForeignKey(Dealer, verbose_name=_("代理商"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=100)
    role = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    phone_key = PhoneKeyField(_("电话（匹配用）"), source="phone")
    email = models.EmailField(_("邮箱"), blank=True)
    qq = models.CharField(_("QQ"), max_length=20, blank=True,
                          validators=[RegexValidator(r"^[1-9][0-9]{4,11}$", _("QQ 号为 5–12 位数字。"))])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("代理商联系人")
        verbose_name_plural = _("代理商联系人")
        ordering = ["dealer_id", "name", "id"]
        indexes = [
            # Used by callers_for (a call from a dealer contact) and the staff dealer search.
            phone_key_index("dealer_contact", "phone_key"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.dealer_id}）"


class DealerRegion(models.Model):
    """A region a dealer serves: how staff find the dealer for an end user's purchase region."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="regions")
    region_code = models.CharField(_("地区代码"), max_length=6, validators=[validate_region_code])

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("服务地区")
        verbose_name_plural = _("服务地区")
        constraints = [models.UniqueConstraint(fields=["dealer", "region_code"], name="dealer_region_unique")]
        # Used by find-my-dealer: dealers serving a region.
        indexes = [models.Index(fields=["region_code"], name="dealer_region_code_idx")]

    def __str__(self) -> str:
        return f"{self.dealer.code} {self.region_code}"


class Customer(models.Model):
    """An end user (终端用户), e.g. an internet cafe, served by one dealer."""

    name = models.CharField(_("名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    phone_key = PhoneKeyField(_("电话（匹配用）"), source="phone")
    region_code = models.CharField(_("地区"), max_length=6, blank=True, validators=[validate_region_code])
    # No index of its own: customer_dealer_name_idx (dealer, name) starts with it.
    dealer = models.ForeignKey(Dealer, verbose_name=_("代理商"), on_delete=models.PROTECT,
                               related_name="customers", null=True, blank=True, db_index=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("终端客户")
        verbose_name_plural = _("终端客户")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["dealer", "name"], name="customer_dealer_name_idx"),
            # Used by callers_for (a call from an end customer) and the staff customer search.
            phone_key_index("customer", "phone_key"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("库存")
    WITH_DEALER = "with_dealer", _("在代理商")
    IN_SERVICE = "in_service", _("使用中")
    IN_REPAIR = "in_repair", _("维修中")
    REPLACED = "replaced", _("已更换")
    SCRAPPED = "scrapped", _("已报废")


class Unit(models.Model):
    """One physical unit, known by its serial number (序列号)."""

    serial = models.CharField(_("序列号"), max_length=64, unique=True, validators=[serial_validator])
    # No index of its own: unit_model_status_idx (product_model, status) starts with it.
    product_model = models.ForeignKey(ProductModel, verbose_name=_("产品型号"), on_delete=models.PROTECT,
                                      related_name="units", db_index=False)
    manufactured_on = models.DateField(_("生产日期"), null=True, blank=True)
    shipped_on = models.DateField(_("发货给代理商日期"), null=True, blank=True)
    sold_on = models.DateField(_("售出给终端日期"), null=True, blank=True,
                               help_text=_("有售出日期时保修从售出日起算，否则从发货日起算。"))
    # No index of its own: unit_dealer_serial_idx (dealer, serial) starts with it.
    dealer = models.ForeignKey(Dealer, verbose_name=_("代理商"), on_delete=models.PROTECT, related_name="units",
                               null=True, blank=True, db_index=False)
    customer = models.ForeignKey(Customer, verbose_name=_("终端客户"), on_delete=models.SET_NULL,
                                 related_name="units", null=True, blank=True)
    region_code = models.CharField(_("销售地区"), max_length=6, blank=True, validators=[validate_region_code])
    replacement_days = models.PositiveIntegerField(_("包换期（天）覆盖"), null=True, blank=True,
                                                   help_text=_("留空则使用型号的包换期。"),
                                                   validators=[MaxValueValidator(cov.MAX_REPLACEMENT_DAYS)])
    warranty_months = models.PositiveIntegerField(_("保修期（月）覆盖"), null=True, blank=True,
                                                  help_text=_("留空则使用型号的保修期。"),
                                                  validators=[MaxValueValidator(cov.MAX_WARRANTY_MONTHS)])
    replaces = models.OneToOneField("self", verbose_name=_("替换的原机"), on_delete=models.PROTECT,
                                    related_name="replaced_by", null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.IN_STOCK)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sold_on__isnull=True) | Q(shipped_on__isnull=True) | Q(sold_on__gte=F("shipped_on")),
                name="unit_sold_after_shipped",
                violation_error_message=_("售出日期不能早于发货日期。"),
            ),
            models.CheckConstraint(condition=Q(serial=Upper("serial")), name="unit_serial_normalized"),
            models.CheckConstraint(condition=~Q(replaces=F("pk")), name="unit_not_replacing_itself"),
            models.CheckConstraint(
                condition=(Q(replacement_days__isnull=True) | Q(replacement_days__lte=cov.MAX_REPLACEMENT_DAYS))
                & (Q(warranty_months__isnull=True) | Q(warranty_months__lte=cov.MAX_WARRANTY_MONTHS)),
                name="unit_periods_bounded",
            ),
        ]
        indexes = [
            # Used by a dealer's unit list and the dealer-scoped search.
            models.Index(fields=["dealer", "serial"], name="unit_dealer_serial_idx"),
            # Used by the staff unit search filters.
            models.Index(fields=["product_model", "status"], name="unit_model_status_idx"),
            models.Index(fields=["region_code"], name="unit_region_idx"),
            # Return rates by ship month: the units shipped in a period, per model, read from the
            # index alone on PostgreSQL (id included for the "returned since" check).
            models.Index(fields=["shipped_on", "product_model"], include=["id"], name="unit_shipped_model_idx"),
        ]

    def __str__(self) -> str:
        return self.serial

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("unit_public", args=[self.serial])

    @property
    def terms(self) -> cov.Terms:
        return self.product_model.terms.with_overrides(
            replacement_days=self.replacement_days, warranty_months=self.warranty_months
        )

    @property
    def dates(self) -> cov.UnitDates:
        return cov.UnitDates(self.shipped_on, self.sold_on)


class UnitSnapshot(models.Model):
    """A unit's hardware configuration as the cloud-management platform reported it at TAKEN_AT."""

    unit = models.ForeignKey(Unit, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="snapshots",
                             db_index=False)
    taken_at = models.DateTimeField(_("采集时间"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    config = models.JSONField(_("硬件配置"))
    source = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("来源"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")

    dealer_scope = "unit__dealer"

    class Meta:
        verbose_name = _("配置快照")
        verbose_name_plural = _("配置快照")
        ordering = ["unit_id", "-taken_at"]
        constraints = [
            # One snapshot per unit and moment: a retried push is refused, not stored twice. Its index
            # serves the unit page and the snapshots API (a unit's snapshots, newest first).
            models.UniqueConstraint(fields=["unit", "taken_at"], name="unit_snapshot_unique_time",
                                    violation_error_message=_("该设备在这一时间已有配置快照。")),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


def unit_coverage(unit: Unit, day: date) -> cov.Coverage:
    """Coverage of UNIT on DAY; a replacement unit keeps the start of the unit it replaced.

    Raises Invalid when DAY is before the start or the unit has never been shipped.
    """
    dates = cov.original_dates(unit, replaced_unit=lambda u: u.replaces, dates_of=lambda u: u.dates)
    return cov.coverage_on(dates=dates, terms=unit.terms, day=day)


from shouhou.registry.models_import import ImportJob  # noqa: E402, F401  (the bulk-import jobs)
