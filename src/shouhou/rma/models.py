"""Service orders (售后服务单), their unit lines and what happens to them.

The state machine lives in ``shouhou.domain.rma``; these models only persist it. An
``OrderLine`` maps field for field onto ``rma.Line`` (``snapshot()`` / ``apply(step)``), so the
transitions, guards and deadlines are never duplicated here. Everything that happens to a line
is written by ``shouhou.rma.services`` (one transaction, one audit row each).

Notices go to the outbox of `shouhou.notify` as events (see `rma.services._queue_notices`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhou.domain import rma

# --- choices ------------------------------------------------------------------------------------

DRAFT = "draft"  # a line of an unsubmitted form: no domain state yet


class LineState(models.TextChoices):
    """The domain's `rma.State` plus `draft` (a form saved but not submitted)."""

    DRAFT = DRAFT, _("草稿")
    SUBMITTED = rma.State.SUBMITTED, _("待审核")
    INFO_REQUESTED = rma.State.INFO_REQUESTED, _("待补充资料")
    APPROVED = rma.State.APPROVED, _("同意返厂检测")
    ADVANCE_APPROVED = rma.State.ADVANCE_APPROVED, _("同意提前换货")
    REPLACEMENT_SHIPPED = rma.State.REPLACEMENT_SHIPPED, _("新机已发出")
    AWAITING_RETURN = rma.State.AWAITING_RETURN, _("待寄回故障件")
    IN_TRANSIT = rma.State.IN_TRANSIT, _("寄送中")
    RECEIVED = rma.State.RECEIVED, _("已签收待检测")
    INSPECTED = rma.State.INSPECTED, _("已检测")
    QUOTING = rma.State.QUOTING, _("待报价")
    QUOTED = rma.State.QUOTED, _("待确认报价")
    REPAIRING = rma.State.REPAIRING, _("维修中")
    REPAIRED = rma.State.REPAIRED, _("已修复待发货")
    REPLACING = rma.State.REPLACING, _("待换货发出")
    RETURNING = rma.State.RETURNING, _("待原样寄回")
    SCRAPPING = rma.State.SCRAPPING, _("待报废")
    SHIPPED = rma.State.SHIPPED, _("已发货")
    CLOSED = rma.State.CLOSED, _("已关闭")
    REJECTED = rma.State.REJECTED, _("已拒绝")
    CANCELLED = rma.State.CANCELLED, _("已取消")


class LinePath(models.TextChoices):
    FREE_REPLACEMENT = rma.Path.FREE_REPLACEMENT, _("免费换货")
    FREE_REPAIR = rma.Path.FREE_REPAIR, _("免费维修")
    QUOTE = rma.Path.QUOTE, _("待报价确认")
    PAID_REPLACEMENT = rma.Path.PAID_REPLACEMENT, _("收费换货")
    PAID_REPAIR = rma.Path.PAID_REPAIR, _("有偿维修")
    ADVANCE_REPLACEMENT = rma.Path.ADVANCE_REPLACEMENT, _("提前换货")
    NO_FAULT_FOUND = rma.Path.NO_FAULT_FOUND, _("未检出故障")
    RETURN_UNREPAIRED = rma.Path.RETURN_UNREPAIRED, _("不维修退回")
    BEST_EFFORT = rma.Path.BEST_EFFORT, _("停产尽力维修")
    REJECTED = rma.Path.REJECTED, _("已拒绝")
    CANCELLED = rma.Path.CANCELLED, _("已取消")


# The same states as end users read them on the public status page: kept beside LineState so
# that a new state cannot be missed (a test checks both cover the domain's states).
PUBLIC_STATE_LABELS = {
    "submitted": _("待审核"), "info_requested": _("待补充资料"), "approved": _("同意返厂检测，等待寄回"),
    "advance_approved": _("同意提前换货"), "replacement_shipped": _("新机已发出"),
    "awaiting_return": _("等待寄回故障件"),
    "in_transit": _("寄送中"), "received": _("已签收，等待检测"), "inspected": _("已检测"),
    "quoting": _("已检测，等待报价"), "quoted": _("等待代理商确认报价"), "repairing": _("维修中"),
    "repaired": _("已修复，等待发货"), "replacing": _("等待换货发出"), "returning": _("等待寄回"),
    "scrapping": _("报废处理中"), "shipped": _("已发货"), "closed": _("已完成"),
    "rejected": _("未通过审核"), "cancelled": _("已取消"),
}


# Status groups, as InvenTree's ReturnOrderStatusGroups: queues and filters use these.
OPEN_STATES: tuple[str, ...] = tuple(s.value for s in rma.State if s not in rma.FINAL_STATES)
FINAL_STATES: tuple[str, ...] = tuple(s.value for s in rma.FINAL_STATES)

# The partial unique index behind "one open service line per unit" (services map its violation).
OPEN_LINE_PER_UNIT = "rma_line_one_open_per_unit"

COVERAGE_CHOICES = [
    ("replacement", _("包换期内")),
    ("warranty", _("保修期内")),
    ("out_of_warranty", _("已过保")),
    ("discontinued", _("已停产")),
]


class OrderSource(models.TextChoices):
    WEB = "web", _("网页")
    XLSX = "xlsx", _("Excel 表格")
    API = "api", _("API")
    EMAIL = "email", _("邮件")
    STAFF = "staff", _("客服代录")


def _state_path_condition() -> Q:
    """The valid (state, path) pairs of `rma.STATE_PATHS` as one CHECK condition."""
    condition = Q(state=DRAFT, path__isnull=True)
    for state, paths in rma.STATE_PATHS.items():
        named = sorted(p.value for p in paths if p is not None)
        allowed = Q(path__in=named) if named else Q(pk__in=[])
        if None in paths:
            allowed |= Q(path__isnull=True)
        condition |= Q(state=state.value) & allowed
    return condition


# --- orders and lines -----------------------------------------------------------------------------


class ServiceOrder(models.Model):
    """A service form (售后服务单) of one dealer; it carries one or more unit lines."""

    number = models.CharField(
        _("RMA 单号"), max_length=20, unique=True, null=True, blank=True,
        help_text=_("首次审核通过时分配，例如 RMA2026-000123。"),
    )
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT,
                               related_name="service_orders")
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    return_address = models.TextField(_("回寄地址"), blank=True)
    # The service case the form comes from: its opening time is the report date (DESIGN §2 Outcomes).
    case = models.ForeignKey("cases.Case", verbose_name=_("服务案例"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="service_orders")
    reported_at = models.DateTimeField(
        _("报修时间"), null=True, blank=True,
        help_text=_("判定保修状态的日期：来自服务案例时为案例创建时间，否则为提交时间。"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, help_text=_("为空表示草稿。"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    source = models.CharField(_("来源"), max_length=10, choices=OrderSource.choices, default=OrderSource.WEB)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("售后服务单")
        verbose_name_plural = _("售后服务单")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(reported_at__isnull=False),
                name="rma_order_submitted_has_report_date",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(submitted_at__isnull=False),
                name="rma_order_number_after_submission",
            ),
        ]
        indexes = [
            # Used by a dealer's order list in the portal and the API: newest first.
            models.Index(fields=["dealer", "-submitted_at"], name="rma_order_dealer_idx"),
            # Used by the staff order list: newest first.
            models.Index(fields=["-submitted_at"], name="rma_order_submitted_idx"),
            # Used by the quality reports: lines reported in a period.
            models.Index(fields=["reported_at"], name="rma_order_reported_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class OrderLine(models.Model):
    """One unit of a service order, following its own path through `shouhou.domain.rma`.

    Fields from `state` to `version` are exactly `rma.Line`; `snapshot()` and `apply(step)`
    convert, and nothing else here decides anything.
    """

    order = models.ForeignKey(ServiceOrder, verbose_name=_("服务单"), on_delete=models.CASCADE,
                              related_name="lines")
    position = models.PositiveSmallIntegerField(_("行号"), default=1, validators=[MinValueValidator(1)])
    unit = models.ForeignKey("registry.Unit", verbose_name=_("设备"), on_delete=models.PROTECT,
                             related_name="service_lines", null=True, blank=True)
    serial = models.CharField(_("序列号"), max_length=64, blank=True, help_text=_("提交时的序列号快照。"))
    fault = models.TextField(_("故障描述"), blank=True)
    topology = models.FileField(_("配置拓扑图"), upload_to="rma/topology/%Y/%m/", blank=True, max_length=255)
    advance_requested = models.BooleanField(_("申请提前换货"), default=False)
    advance_reason = models.TextField(_("提前换货理由"), blank=True)
    coverage = models.CharField(_("保修状态"), max_length=20, choices=COVERAGE_CHOICES, blank=True,
                                help_text=_("按报修日期判定，之后不再改变。"))

    # --- rma.Line
    state = models.CharField(_("状态"), max_length=24, choices=LineState.choices, default=DRAFT)
    # NULL, not "": the domain's "not decided yet" is None and the API shows null.
    path = models.CharField(_("处理方式"), max_length=24, choices=LinePath.choices, null=True, blank=True)  # noqa: DJ001
    due_at = models.DateTimeField(_("我方期限"), null=True, blank=True)
    dealer_due_at = models.DateTimeField(_("代理商期限"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("计时起点"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("最近操作时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    fault_confirmed = models.BooleanField(_("故障确认"), null=True, blank=True)
    damage = models.JSONField(_("损坏类别"), default=list, blank=True)
    components = models.JSONField(_("故障部件"), default=list, blank=True)
    quote_options = models.JSONField(_("报价选项"), default=list, blank=True)
    charge_required = models.BooleanField(_("需追收费用"), default=False)
    charge_amount = models.DecimalField(_("追收金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    scrap = models.BooleanField(_("报废"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    replacement_unit = models.ForeignKey("registry.Unit", verbose_name=_("换货新机"), on_delete=models.PROTECT,
                                         related_name="replacing_lines", null=True, blank=True)

    dealer_scope = "order__dealer"

    class Meta:
        verbose_name = _("服务单设备")
        verbose_name_plural = _("服务单设备")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="rma_line_position_unique"),
            models.CheckConstraint(condition=_state_path_condition(), name="rma_line_state_path_valid"),
            # The domain's clock invariant: at most one party owes a step at a time.
            models.CheckConstraint(condition=Q(due_at__isnull=True) | Q(dealer_due_at__isnull=True),
                                   name="rma_line_one_clock"),
            models.CheckConstraint(condition=Q(state=DRAFT) | (Q(unit__isnull=False) & ~Q(coverage="")),
                                   name="rma_line_submitted_has_unit"),
            models.CheckConstraint(condition=Q(charge_amount__isnull=True) | Q(charge_amount__gte=Decimal("0")),
                                   name="rma_line_charge_not_negative"),
            models.CheckConstraint(condition=Q(version__gte=1), name="rma_line_version_positive"),
            # One open service line per unit: two forms racing for one serial cannot both get in.
            # Also serves the "already in progress" lookup of the service-form check.
            models.UniqueConstraint(fields=["unit"], condition=Q(state__in=OPEN_STATES),
                                    name=OPEN_LINE_PER_UNIT),
            # A replacement unit replaces one unit, so it is shipped for one line only.
            models.UniqueConstraint(fields=["replacement_unit"], condition=Q(replacement_unit__isnull=False),
                                    name="rma_line_replacement_unit_once"),
        ]
        indexes = [
            # Used by the staff queues (filter by state, most urgent first) and the API list filter.
            models.Index(fields=["state", "due_at"], name="rma_line_state_due_idx"),
            # Used by the API list filter `path` and the reports.
            models.Index(fields=["path", "state"], name="rma_line_path_idx"),
            # Used by the deadline sweep and the "overdue" filter: live vendor deadlines.
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="rma_line_due_live_idx"),
            # Used by the deadline sweep and the "overdue" filter: live dealer deadlines.
            models.Index(fields=["dealer_due_at"], condition=Q(dealer_due_at__isnull=False),
                         name="rma_line_dealer_due_live_idx"),
            # Used by the unit page: the service history of one unit (the FK index covers `order`).
            models.Index(fields=["unit", "-id"], name="rma_line_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order} / {self.position} {self.serial}"

    @property
    def is_draft(self) -> bool:
        return self.state == DRAFT

    def snapshot(self) -> rma.Line:
        """This line as the domain's immutable `rma.Line`."""
        if self.is_draft:
            raise ValueError("a draft line has no domain state yet")
        return rma.Line(
            coverage=self.coverage,
            state=rma.State(self.state),
            path=rma.Path(self.path) if self.path else None,
            advance=self.advance_requested,
            due_at=self.due_at,
            dealer_due_at=self.dealer_due_at,
            clock_started_at=self.clock_started_at,
            last_event_at=self.last_event_at,
            received_at=self.received_at,
            delivered_at=self.delivered_at,
            fault_confirmed=self.fault_confirmed,
            damage=tuple(self.damage or ()),
            quote_options=tuple(self.quote_options or ()),
            charge_required=self.charge_required,
            charge_amount=self.charge_amount,
            scrap=self.scrap,
            version=self.version,
        )

    def apply(self, step: rma.Step) -> list[str]:
        """Copy the changed fields of `step.line` (and its version) onto this model.

        Returns the model field names that changed, for ``save(update_fields=...)``.
        """
        names = []
        for name in (*step.changed, "version"):
            field = _LINE_TO_MODEL.get(name, name)
            setattr(self, field, _to_db(getattr(step.line, name)))
            names.append(field)
        return names


# rma.Line field -> OrderLine field, where the names differ.
_LINE_TO_MODEL = {"advance": "advance_requested"}


def _to_db(value: Any) -> Any:
    if isinstance(value, rma.State | rma.Path | rma.Damage):
        return value.value
    if isinstance(value, tuple):
        return [_to_db(v) for v in value]
    return value


# --- what happens to a line -----------------------------------------------------------------------


class QuoteStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已拒绝")
    SUPERSEDED = "superseded", _("已被新报价替代")


class Quote(models.Model):
    """A quote (报价) for a paid repair or replacement; a revised quote supersedes the open one."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="quotes")
    items = models.JSONField(_("报价项目"), default=list, help_text=_('[{"text": ..., "amount": "120.00"}]'))
    total = models.DecimalField(_("合计"), max_digits=12, decimal_places=2,
                                help_text=_("单一方案的合计；两个方案时为代理商所选方案的合计（选择前为较高者）。"))
    options = models.JSONField(_("可选方案"), default=list)
    totals = models.JSONField(_("各方案合计"), default=dict, blank=True,
                              help_text=_('{"paid_repair": "680.00", "paid_replacement": "1200.00"}'))
    valid_days = models.PositiveIntegerField(_("有效天数"))
    valid_until = models.DateTimeField(_("有效期至"))
    sent_at = models.DateTimeField(_("发送时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.SENT)
    choice = models.CharField(_("代理商选择"), max_length=24, blank=True)
    scrap = models.BooleanField(_("拒绝后报废"), default=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # The policy texts the quote was made under: a later edit of the pack does not change it.
    policy_version = models.ForeignKey("PolicyVersion", verbose_name=_("政策版本"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="quotes")

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ["line_id", "sent_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="rma_quote_total_not_negative"),
            # Only one quote of a line waits for an answer.
            models.UniqueConstraint(fields=["line"], condition=Q(status="sent"), name="rma_quote_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.line} ¥{self.total}"


class ShipmentDirection(models.TextChoices):
    TO_CENTRE = "to_centre", _("寄往售后中心")
    TO_DEALER = "to_dealer", _("寄往代理商")


class ShipmentKind(models.TextChoices):
    FAULTY = "faulty", _("故障件")
    REPLACEMENT = "replacement", _("换货新机")
    REPAIRED = "repaired", _("修复件")
    BACK = "back", _("原样寄回")


class Shipment(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipments")
    direction = models.CharField(_("方向"), max_length=10, choices=ShipmentDirection.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=ShipmentKind.choices)
    carrier = models.CharField(_("承运商"), max_length=100)
    tracking = models.CharField(_("运单号"), max_length=100)
    shipped_at = models.DateTimeField(_("发出时间"))
    replacement_serial = models.CharField(_("新机序列号"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("物流")
        verbose_name_plural = _("物流")
        ordering = ["line_id", "shipped_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(direction="to_centre", kind="faulty")
                           | Q(direction="to_dealer", kind__in=["replacement", "repaired", "back"])),
                name="rma_shipment_kind_matches_direction",
            ),
        ]
        indexes = [
            # Used by the tracking-number search.
            models.Index(fields=["tracking"], name="rma_shipment_tracking_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking}"


class RepairRecord(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="repairs")
    parts = models.JSONField(_("更换部件"), default=list)
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("维修人员"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    result = models.TextField(_("维修结果"))
    completed_at = models.DateTimeField(_("完成时间"))

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("维修记录")
        verbose_name_plural = _("维修记录")
        ordering = ["line_id", "completed_at", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.completed_at:%Y-%m-%d}"


class Charge(models.Model):
    """A charge billed after the fact (advance replacement with damage outside the terms)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="charges")
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("原因"))
    created_at = models.DateTimeField(_("时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    billed = models.BooleanField(_("已开票"), default=False)

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("追收费用")
        verbose_name_plural = _("追收费用")
        ordering = ["line_id", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="rma_charge_positive")]
        indexes = [
            # Used by finance: charges not yet billed.
            models.Index(fields=["created_at"], condition=Q(billed=False), name="rma_charge_unbilled_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.line} ¥{self.amount}"


class AttachmentKind(models.TextChoices):
    TOPOLOGY = "topology", _("配置拓扑图")
    RECEIPT_PHOTO = "receipt_photo", _("签收照片")
    INSPECTION_PHOTO = "inspection_photo", _("检测照片")


class LineAttachment(models.Model):
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="rma/attachments/%Y/%m/", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["line_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.kind}"


class DeadlineKind(models.TextChoices):
    REVIEW = "review", _("审核")
    SHIP_ADVANCE = "ship_advance", _("提前换货发出新机")
    FAULTY_RETURN = "faulty_return", _("寄回故障件")
    INSPECT = "inspect", _("检测")
    SHIP = "ship", _("发货")
    CONTACT = "contact", _("联系报价")
    QUOTE_ANSWER = "quote_answer", _("答复报价")
    RETURN = "return", _("寄回")
    SETTLE = "settle", _("结算关闭")


class Party(models.TextChoices):
    VENDOR = "vendor", _("我方")
    DEALER = "dealer", _("代理商")


class DeadlineRecord(models.Model):
    """One deadline of a line: opened when a clock starts, closed when the next event stops it.

    Reports read "deadlines met" from here; the sweep marks reminders and escalations here so
    that it never sends the same one twice.
    """

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("类型"), max_length=20, choices=DeadlineKind.choices)
    party = models.CharField(_("责任方"), max_length=10, choices=Party.choices)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("期限"))
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期"), null=True, blank=True, help_text=_("完成时是否已超过期限。"))
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("期限记录")
        verbose_name_plural = _("期限记录")
        ordering = ["line_id", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(met_at__isnull=True), name="rma_deadline_one_open"),
            models.CheckConstraint(condition=Q(met_at__isnull=True, late__isnull=True)
                                   | Q(met_at__isnull=False, late__isnull=False),
                                   name="rma_deadline_late_when_met"),
            models.CheckConstraint(condition=Q(due_at__gte=F("started_at")), name="rma_deadline_due_after_start"),
        ]
        indexes = [
            # Used by the deadline sweep: open deadlines by due time.
            models.Index(fields=["due_at"], condition=Q(met_at__isnull=True), name="rma_deadline_open_idx"),
            # Used by the "deadlines met" report: closed deadlines by party and period.
            models.Index(fields=["party", "met_at"], name="rma_deadline_met_idx"),
            # Used by the reports (deadlines met per step, week, month): deadlines due in a period.
            models.Index(fields=["due_at"], name="rma_deadline_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class TopologyUpload(models.Model):
    """A topology diagram uploaded with a web service form that was refused (another line failed).

    Kept for the user who uploaded it, so that the form shown again carries it (a signed token in
    the form, `rma.topology_uploads`) and the resubmit needs no second upload. Used ones are
    deleted when the form goes through; the rest after a day.
    """

    file = models.FileField(_("文件"), upload_to="rma/uploads/%Y/%m/", max_length=255)
    name = models.CharField(_("原文件名"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("暂存的配置拓扑图")
        verbose_name_plural = _("暂存的配置拓扑图")
        indexes = [
            # Used by the clean-up of stale uploads.
            models.Index(fields=["uploaded_at"], name="rma_topology_upload_at_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class TrackingSheet(models.Model):
    """One rendering of a line's 返修跟踪单 (repair tracking sheet), kept as sent or offered.

    The sheet is rendered again each time its line moves after receipt (`rma.tracking_sheets`),
    so the dealer can see every version and the mail carries the latest. The PDF is stored in
    the row (a few dozen kB), so a rendering and its record commit or vanish together.
    """

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="tracking_sheets")
    version = models.PositiveIntegerField(_("版本"))
    line_version = models.PositiveIntegerField(_("对应的设备记录版本"),
                                               help_text=_("渲染时服务单设备行的版本号。"))
    created_at = models.DateTimeField(_("生成时间"))
    pdf = models.BinaryField(_("PDF"))
    checksum = models.CharField(_("SHA-256"), max_length=64)

    dealer_scope = "line__order__dealer"

    class Meta:
        verbose_name = _("返修跟踪单")
        verbose_name_plural = _("返修跟踪单")
        ordering = ["line_id", "-version"]
        constraints = [
            # Version numbers of a line's sheets; also serves "the latest sheet of a line".
            models.UniqueConstraint(fields=["line", "version"], name="rma_sheet_version_unique"),
            # One rendering per state of the line: a task run twice (a worker that died) adds none.
            models.UniqueConstraint(fields=["line", "line_version"], name="rma_sheet_line_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="rma_sheet_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line} v{self.version}"


class RmaNumber(models.Model):
    """The last RMA number issued per year: locked with select_for_update, so numbers have no gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("RMA 单号序列")
        verbose_name_plural = _("RMA 单号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# --- the policy texts of the policy pack -----------------------------------------------------------


class PolicyVersion(models.Model):
    """One version of the policy texts (售后服务政策, 包换服务条款, 免费维修范围) and the inspection's
    terms checklist. Append-only: every edit is a new row with the next number; the newest is in force.
    """

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    service_policy = models.TextField(_("售后服务政策"))
    replacement_terms = models.TextField(_("包换服务条款"))
    free_repair_scope = models.TextField(_("免费维修范围"))
    # [{"damage": "liquid", "section": "replacement_terms", "clause": "3", "text": "..."}] (domain.policy)
    checklist = models.JSONField(_("检测条款清单"), default=list)
    note = models.CharField(_("修改说明"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("政策文本版本")
        verbose_name_plural = _("政策文本版本")
        ordering = ["-version"]
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="rma_policy_version_positive")]

    def __str__(self) -> str:
        return f"v{self.version}"


# --- units that arrive without an approved form ---------------------------------------------------


class ReceiptStatus(models.TextChoices):
    AWAITING_FORM = "awaiting_form", _("待代理商补单")
    TAKEN_OVER = "taken_over", _("已转入服务单")


class Receipt(models.Model):
    """A parcel that arrived without an approved service form (未预约到货), DESIGN §2.

    No vendor clock runs while it waits: the dealer owes the form. The service order that later
    covers the serial takes the unit over at approval (`order` is then set).
    """

    serial = models.CharField(_("序列号"), max_length=64, help_text=_("到货时扫描或填写的序列号。"))
    unit = models.ForeignKey("registry.Unit", verbose_name=_("设备"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="receipts", help_text=_("序列号未登记时为空，可稍后匹配。"))
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="receipts")
    carrier = models.CharField(_("承运商"), max_length=100, blank=True)
    tracking = models.CharField(_("运单号"), max_length=100, blank=True)
    condition = models.TextField(_("到货状况"), blank=True)
    received_at = models.DateTimeField(_("到货时间"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=ReceiptStatus.choices,
                              default=ReceiptStatus.AWAITING_FORM)
    line = models.OneToOneField(OrderLine, verbose_name=_("服务单设备"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="receipt")
    taken_over_at = models.DateTimeField(_("转入时间"), null=True, blank=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("未预约到货")
        verbose_name_plural = _("未预约到货")
        ordering = ["-received_at", "-id"]
        constraints = [
            # One parcel waits per unit: a second arrival of the same unit is the same case.
            models.UniqueConstraint(fields=["unit"], condition=Q(status="awaiting_form"),
                                    name="rma_receipt_one_waiting_per_unit"),
            models.CheckConstraint(condition=Q(status="awaiting_form", line__isnull=True, taken_over_at__isnull=True)
                                   | Q(status="taken_over", line__isnull=False, taken_over_at__isnull=False),
                                   name="rma_receipt_taken_over_has_line"),
        ]
        indexes = [
            # Used by the receipts list: waiting parcels, oldest first.
            models.Index(fields=["status", "received_at"], name="rma_receipt_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.received_at:%Y-%m-%d}"


class ReceiptPhoto(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to="rma/receipts/%Y/%m/", max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    dealer_scope = "receipt__dealer"

    class Meta:
        verbose_name = _("到货照片")
        verbose_name_plural = _("到货照片")
        ordering = ["receipt_id", "id"]

    def __str__(self) -> str:
        return f"{self.receipt} {self.file.name}"
