"""Service cases (客服部): one contact with a reporter, owned by one member of staff to the end.

The status machine lives in ``shouhou.domain.cases``; ``Case.snapshot()`` / ``Case.apply(step)``
convert, so transitions and ownership rules are never duplicated here. Everything that happens
to a case is written by ``shouhou.cases.services`` and recorded on the audit trail, which is the
case's timeline.

A complaint about a dealer keeps that dealer in ``about_dealer`` and never in ``dealer``: the
dealer scoping layer follows ``dealer``, so the dealer concerned can never see it (a CHECK
constraint holds that).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhou.domain import cases as domain


class CaseStatus(models.TextChoices):
    NEW = domain.Status.NEW, _("待受理")
    ACCEPTED = domain.Status.ACCEPTED, _("处理中")
    WAITING_CUSTOMER = domain.Status.WAITING_CUSTOMER, _("等待客户")
    WAITING_DEALER = domain.Status.WAITING_DEALER, _("等待代理商")
    RESOLVED = domain.Status.RESOLVED, _("已解决")
    CLOSED = domain.Status.CLOSED, _("已关闭")


class CaseChannel(models.TextChoices):
    HOTLINE = domain.Channel.HOTLINE, _("400 热线")
    QQ = domain.Channel.QQ, _("企业 QQ")
    EMAIL = domain.Channel.EMAIL, _("邮件")
    WEB = domain.Channel.WEB, _("网页")
    PORTAL = domain.Channel.PORTAL, _("代理商门户")
    API = domain.Channel.API, _("API")


class CaseType(models.TextChoices):
    CONSULTATION = domain.CaseType.CONSULTATION, _("技术咨询")
    FAULT = domain.CaseType.FAULT, _("故障受理")
    REPAIR = domain.CaseType.REPAIR, _("产品维保")
    COMPLAINT = domain.CaseType.COMPLAINT, _("投诉代理商")


class ResolutionCategory(models.TextChoices):
    RESOLVED_BY_FAQ = domain.Category.RESOLVED_BY_FAQ, _("常见问题解决")
    REMOTE_FIX = domain.Category.REMOTE_FIX, _("远程/电话解决")
    CONFIGURATION = domain.Category.CONFIGURATION, _("配置或误操作")
    THIRD_PARTY = domain.Category.THIRD_PARTY, _("非本公司产品原因")
    DEALER_HANDLED = domain.Category.DEALER_HANDLED, _("代理商处理")
    SERVICE_ORDER = domain.Category.SERVICE_ORDER, _("转售后服务单")
    NO_RESPONSE = domain.Category.NO_RESPONSE, _("客户无回应")
    OTHER = domain.Category.OTHER, _("其他")


COVERAGE_CHOICES = [
    ("replacement", _("包换期内")),
    ("warranty", _("保修期内")),
    ("out_of_warranty", _("已过保")),
    ("discontinued", _("已停产")),
]

# Status groups, as for service-order lines.
OPEN_STATUSES: tuple[str, ...] = tuple(s.value for s in domain.Status if s in domain.OPEN_STATUSES)
DONE_STATUSES: tuple[str, ...] = tuple(s.value for s in domain.Status if s in domain.CLOSED_STATUSES)
# Cases the support engineers triage: faults and repair requests not yet resolved.
TRIAGE_TYPES: tuple[str, ...] = (CaseType.FAULT.value, CaseType.REPAIR.value)


class Team(models.Model):
    """A team contacts arrive for (按 3 号键接入技术支持中心, QQ's 技术部 / 客户服务部): its members take
    its unowned cases from the team queue. Targets left empty follow the case type's; `robot` is the
    group robot the team's reminders are posted to."""

    key = models.SlugField(_("代号"), max_length=20, unique=True,
                           help_text=_("用于 /intake?team=…、API 和邮件地址映射，如 support。"))
    name = models.CharField(_("名称"), max_length=50, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True,
                                     related_name="case_teams")
    first_response_minutes = models.PositiveIntegerField(_("首次响应时限（工作分钟）"), null=True, blank=True,
                                                         help_text=_("留空时按案例类型的时限。"))
    resolution_working_days = models.PositiveIntegerField(_("解决时限（工作日）"), null=True, blank=True,
                                                          help_text=_("留空时按案例类型的时限。"))
    robot = models.ForeignKey("notify.Channel", verbose_name=_("团队群机器人"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="teams")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def targets(self) -> domain.TeamTargets:
        return domain.TeamTargets(first_response_minutes=self.first_response_minutes,
                                  resolution_working_days=self.resolution_working_days)


class Case(models.Model):
    """A service case (服务案例), numbered C2026-000123 in the year it was opened."""

    number = models.CharField(_("案例号"), max_length=20, unique=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=CaseChannel.choices)
    case_type = models.CharField(_("类型"), max_length=16, choices=CaseType.choices)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    subject = models.CharField(_("主题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)

    reporter_name = models.CharField(_("报告人"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("电话"), max_length=50, blank=True)
    # Digits only, +86 dropped: what the phone search and caller recognition compare.
    reporter_phone_key = models.CharField(max_length=32, blank=True, editable=False)
    reporter_email = models.EmailField(_("邮箱"), blank=True)
    reporter_qq = models.CharField(_("QQ"), max_length=20, blank=True)
    reporter_dealer = models.ForeignKey("registry.Dealer", verbose_name=_("报告人所属代理商"),
                                        on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reporter_customer = models.ForeignKey("registry.Customer", verbose_name=_("报告人（终端客户）"),
                                          on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")

    unit = models.ForeignKey("registry.Unit", verbose_name=_("设备"), on_delete=models.PROTECT,
                             null=True, blank=True, related_name="cases")
    serial = models.CharField(_("序列号"), max_length=64, blank=True)
    product_model = models.ForeignKey("registry.ProductModel", verbose_name=_("产品型号"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="cases",
                               help_text=_("可看到此案例的代理商；投诉案例始终为空。"))
    about_dealer = models.ForeignKey("registry.Dealer", verbose_name=_("被投诉代理商"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="complaints")
    region_code = models.CharField(_("地区"), max_length=6, blank=True)
    coverage = models.CharField(_("报修日保修状态"), max_length=20, choices=COVERAGE_CHOICES, blank=True)
    faq_article = models.ForeignKey("faq.FaqArticle", verbose_name=_("关联常见问题"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="cases")
    related_case = models.ForeignKey("self", verbose_name=_("关联案例"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="follow_ups")

    team = models.ForeignKey(Team, verbose_name=_("团队"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="cases", help_text=_("为团队创建的案例由团队成员领取。"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="owned_cases")
    first_responder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首问负责人"),
                                        on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    resolution = models.TextField(_("解决方案"), blank=True)
    resolution_category = models.CharField(_("解决类别"), max_length=20, choices=ResolutionCategory.choices,
                                           blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    opened_at = models.DateTimeField(_("创建时间"))
    pickup_at = models.DateTimeField(_("受理时间"))
    first_response_due = models.DateTimeField(_("首次响应期限"))
    resolution_due = models.DateTimeField(_("解决期限"))
    first_responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("服务案例")
        verbose_name_plural = _("服务案例")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status__in=sorted(s.value for s in domain.OWNED_STATUSES))
                                   | Q(owner__isnull=False), name="cases_case_owned_has_owner"),
            models.CheckConstraint(
                condition=(Q(status__in=DONE_STATUSES) & ~Q(resolution="") & ~Q(resolution_category=""))
                | (~Q(status__in=DONE_STATUSES) & Q(resolution="", resolution_category="")),
                name="cases_case_resolution_iff_resolved"),
            models.CheckConstraint(condition=~Q(case_type=CaseType.COMPLAINT) | Q(dealer__isnull=True),
                                   name="cases_case_complaint_hidden_from_dealers"),
            models.CheckConstraint(condition=Q(owner__isnull=True) | Q(first_responder__isnull=False),
                                   name="cases_case_owner_has_first_responder"),
            models.CheckConstraint(condition=Q(pickup_at__gte=F("opened_at"))
                                   & Q(first_response_due__gte=F("pickup_at")),
                                   name="cases_case_targets_in_order"),
            models.CheckConstraint(condition=Q(version__gte=1), name="cases_case_version_positive"),
        ]
        indexes = [
            # Used by the staff case list and the API list: newest first.
            models.Index(fields=["-opened_at"], name="cases_case_opened_idx"),
            # Used by "my cases" and the dashboard panel: a user's cases by status.
            models.Index(fields=["owner", "status"], name="cases_case_owner_idx"),
            # Used by the queue of unanswered cases, most urgent first.
            models.Index(fields=["first_response_due"], condition=Q(first_responded_at__isnull=True),
                         name="cases_case_unanswered_idx"),
            # Used by the overdue filter: open cases past their resolution target.
            models.Index(fields=["resolution_due"], condition=Q(status__in=OPEN_STATUSES),
                         name="cases_case_open_due_idx"),
            # Used by the dealer portal and dealer tokens: a dealer's cases, newest first.
            models.Index(fields=["dealer", "-opened_at"], name="cases_case_dealer_idx"),
            # Used by the search box and caller recognition: cases by the reporter's phone.
            models.Index(fields=["reporter_phone_key"], name="cases_case_phone_idx"),
            # Used by the team queues: a team's unowned open cases.
            models.Index(fields=["team", "status"], condition=Q(owner__isnull=True), name="cases_case_team_idx"),
            # Used by the search box: cases by serial.
            models.Index(fields=["serial"], name="cases_case_serial_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("case_detail", args=[self.pk])

    def snapshot(self) -> domain.Case:
        return domain.Case(
            status=domain.Status(self.status),
            owner=self.owner_id,
            first_responder=self.first_responder_id,
            has_dealer=self.dealer_id is not None,
            resolution=self.resolution,
            category=self.resolution_category,
            version=self.version,
        )

    def apply(self, step: domain.Step) -> list[str]:
        """Copy the changed fields of STEP onto this case; returns the model fields to save."""
        names = {"owner": "owner_id", "first_responder": "first_responder_id", "category": "resolution_category"}
        saved = []
        for name in step.changed:
            setattr(self, names.get(name, name), getattr(step.case, name))
            saved.append(names.get(name, name).removesuffix("_id"))
        self.version = step.case.version
        return [*saved, "version"]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNumber(models.Model):
    """The last case number issued per year: locked with select_for_update, so numbers have no gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("案例号序列")
        verbose_name_plural = _("案例号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class AttachmentKind(models.TextChoices):
    TOPOLOGY = "topology", _("配置拓扑图")
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文档")


class CaseAttachment(models.Model):
    """A file on a case (topology diagram, photo, PDF), accepted by its content, not its name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    dealer_scope = "case__dealer"

    class Meta:
        verbose_name = _("案例附件")
        verbose_name_plural = _("案例附件")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class TriageItem(models.TextChoices):
    """The seed's common causes (售后体系流程 二.2 and 二.3)."""

    CLIENT_PC = "client_pc", _("客户机")
    MOTHERBOARD = "motherboard", _("主板")
    CPU = "cpu", _("CPU")
    MEMORY = "memory", _("内存")
    DISKS = "disks", _("读写硬盘")
    DISKLESS = "diskless", _("无盘软件")
    BILLING = "billing", _("计费网管系统")
    MISOPERATION = "misoperation", _("用户误操作")
    DRIVERS = "drivers", _("误删驱动")


class TriageResult(models.TextChoices):
    UNCHECKED = "unchecked", _("未检查")
    OK = "ok", _("正常")
    FAULT = "fault", _("有故障")


class TriageCheck(models.Model):
    """One line of a case's triage checklist; absent lines are "not checked"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage")
    item = models.CharField(_("排查项"), max_length=16, choices=TriageItem.choices)
    result = models.CharField(_("结果"), max_length=10, choices=TriageResult.choices, default=TriageResult.UNCHECKED)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    dealer_scope = "case__dealer"

    class Meta:
        verbose_name = _("排查项")
        verbose_name_plural = _("排查项")
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="cases_triage_one_per_item")]

    def __str__(self) -> str:
        return f"{self.case} {self.item}: {self.result}"


class DiagnosticKind(models.TextChoices):
    HARDWARE_CONFIG = "hardware_config", _("硬件配置")
    DATA_RECOVERY = "data_recovery", _("恢复数据")
    HARDWARE_CHECK = "hardware_check", _("硬件排查")


class Diagnostic(models.Model):
    """What was seen or run through the cloud-management platform (硬件配置、恢复数据、硬件排查)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="diagnostics")
    kind = models.CharField(_("类别"), max_length=20, choices=DiagnosticKind.choices)
    text = models.TextField(_("记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    dealer_scope = "case__dealer"

    class Meta:
        verbose_name = _("诊断记录")
        verbose_name_plural = _("诊断记录")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class CaseRating(models.Model):
    """A satisfaction rating (满意度回访) of a closed case: a one-time link, then a score.

    Closing a case creates the row with the SHA-256 digest of a random token (the token itself
    is only in the link sent to the reporter); the public page takes a score of 1–5 and a comment
    once, before `expires_at`. Closing again after a reopen replaces an unused link.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    comment = models.TextField(_("评价"), blank=True)

    dealer_scope = "case__dealer"

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                   name="cases_rating_score_1_to_5"),
            models.CheckConstraint(condition=Q(score__isnull=True, rated_at__isnull=True)
                                   | Q(score__isnull=False, rated_at__isnull=False),
                                   name="cases_rating_score_iff_rated"),
            # One unused link per case at a time.
            models.UniqueConstraint(fields=["case"], condition=Q(rated_at__isnull=True),
                                    name="cases_rating_one_open_link"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.score or '-'}"
