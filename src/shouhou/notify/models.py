"""The outbox: events that features emit, the messages they become, and what decides both.

An `Event` is what happened, with its data (never text). Each `Message` is one delivery of an
event to one recipient over one transport: an in-app inbox row, an email to one address, a
group-robot post or an SMS. Messages are rendered from templates in the recipient's language
when they are sent (email, robots, SMS) or shown (inbox), so nothing is composed in the
language of whoever acted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhou.core.roles import PERSON_ROLE_CHOICES

LANGUAGES = (("zh-hans", _("简体中文")), ("en", _("English")))
DEFAULT_LANGUAGE = "zh-hans"


class Event(models.Model):
    """Something that happened that people hear about, as emitted by a feature.

    `thread` is the number shown in mail subjects (``RMA2026-000123``, ``C2026-000456``) and
    matched by inbound replies. `document` names a PDF that goes with the event (rendered once
    by the owning feature's renderer and kept in `attachment`). `key` makes an emit idempotent.
    """

    name = models.CharField(_("事件"), max_length=60)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    thread = models.CharField(_("编号"), max_length=32, blank=True)
    document = models.CharField(_("文档"), max_length=40, blank=True)
    attachment = models.FileField(_("附件"), upload_to="notify/documents/%Y/%m/", blank=True, max_length=255)
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        indexes = [
            # Used by a service order's documents: the events of its lines that carry a PDF.
            models.Index(fields=["object_type", "object_id"], name="notify_event_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.thread}".strip()

    @property
    def label(self) -> str:
        from shouhou.notify.events import EVENTS

        known = EVENTS.get(self.name)
        return str(known.label) if known else self.name


class Transport(models.TextChoices):
    INBOX = "inbox", _("站内通知")
    EMAIL = "email", _("邮件")
    ROBOT = "robot", _("群机器人")
    SMS = "sms", _("短信")


class MessageState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


# Messages the sender still has to deal with.
UNSENT_STATES = (MessageState.PENDING, MessageState.SENDING)


class Message(models.Model):
    """One delivery of an event to one recipient over one transport.

    Inbox messages are addressed to a dealer (its portal's notices page) or to one user (the
    staff inbox) and are "sent" when written. Email, robot and SMS messages wait in state
    `pending` for the sender, which claims them (`sending`, with a lease), and end `sent` or,
    after `NOTIFY_MAX_TRIES` tries or a permanent refusal, `failed` (staff may resend).

    `message_id` is fixed when the row is written, so every retry of an email carries the
    same Message-ID (see docs/mail.md, "Retries and the Message-ID").
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    transport = models.CharField(_("方式"), max_length=8, choices=Transport.choices)
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="+")
    channel = models.ForeignKey("notify.Channel", verbose_name=_("群组通道"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="messages")
    address = models.CharField(_("地址"), max_length=254, blank=True)
    language = models.CharField(_("语言"), max_length=10, choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    state = models.CharField(_("状态"), max_length=8, choices=MessageState.choices, default=MessageState.PENDING)
    tries = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    # Dealer users see their dealer's inbox; staff-only messages never carry a dealer.
    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(transport="inbox") & (Q(dealer__isnull=False) | Q(user__isnull=False)))
                | (Q(transport="email") & ~Q(address=""))
                | (Q(transport="robot") & Q(channel__isnull=False))
                | (Q(transport="sms") & Q(channel__isnull=False) & ~Q(address="")),
                name="notify_message_has_recipient"),
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False),
                                   name="notify_message_sent_at"),
            models.UniqueConstraint(fields=["message_id"], condition=~Q(message_id=""),
                                    name="notify_message_id_unique"),
        ]
        indexes = [
            # Used by the sender: unsent messages whose time has come, oldest first.
            models.Index(fields=["next_try_at"], condition=Q(state__in=["pending", "sending"]),
                         name="notify_message_due_idx"),
            # Used by the dealer's notices page: a dealer's inbox, newest first.
            models.Index(fields=["dealer", "-created_at"], condition=Q(transport="inbox"),
                         name="notify_dealer_inbox_idx"),
            # Used by the staff inbox and its unread count: a user's inbox, newest first.
            models.Index(fields=["user", "-created_at"], condition=Q(transport="inbox"),
                         name="notify_user_inbox_idx"),
            # Used by the outbox page: messages by state, newest first.
            models.Index(fields=["state", "-created_at"], name="notify_message_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event.name} → {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        if self.transport == Transport.INBOX:
            return str(self.user or self.dealer)
        if self.channel_id and self.transport == Transport.ROBOT:
            return str(self.channel)
        return self.address


class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")
    SMS_ALIYUN = "sms_aliyun", _("阿里云短信")


ROBOT_KINDS = frozenset({ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU})


class Channel(models.Model):
    """A team channel: a group robot's webhook, or an SMS account with the phones it texts."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=ChannelKind.choices)
    url = models.URLField(_("Webhook 地址"), max_length=500,
                          help_text=_("群机器人的 Webhook 地址；短信填服务接入地址，如 https://dysmsapi.aliyuncs.com/"))
    secret = models.CharField(_("密钥"), max_length=200, blank=True,
                              help_text=_("钉钉“加签”/飞书“签名校验”的密钥；阿里云短信的 AccessKey Secret。"))
    key_id = models.CharField(_("AccessKey ID"), max_length=100, blank=True)
    sign_name = models.CharField(_("短信签名"), max_length=50, blank=True)
    template_code = models.CharField(_("短信模板代码"), max_length=50, blank=True)
    phones = models.CharField(_("手机号"), max_length=500, blank=True, help_text=_("多个号码用逗号分隔。"))
    language = models.CharField(_("语言"), max_length=10, choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群组通道")
        verbose_name_plural = _("群组通道")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="sms_aliyun") | (~Q(key_id="") & ~Q(template_code="")),
                                   name="notify_channel_sms_complete"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.replace("，", ",").split(",") if p.strip()]


class Audience(models.TextChoices):
    DEALER = "dealer", _("代理商（门户通知 + 代理商邮箱）")
    DEALER_USERS = "dealer_users", _("代理商的各个账号")
    NAMED = "named", _("事件指定的人或地址")
    ROLE = "role", _("某角色的全部员工")
    CHANNEL = "channel", _("群组通道")
    TEAM = "team", _("事件所属团队（成员 + 团队群机器人）")


class Rule(models.Model):
    """Who hears about an event: one audience per rule; admins add, change or switch them off."""

    event = models.CharField(_("事件"), max_length=60)
    audience = models.CharField(_("收件人"), max_length=16, choices=Audience.choices)
    role = models.CharField(_("角色"), max_length=32, choices=PERSON_ROLE_CHOICES, blank=True)
    channel = models.ForeignKey(Channel, verbose_name=_("群组通道"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="rules")
    inbox = models.BooleanField(_("站内通知"), default=True)
    email = models.BooleanField(_("邮件"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["event", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(audience="role") | ~Q(role=""), name="notify_rule_role_named"),
            models.CheckConstraint(condition=~Q(audience="channel") | Q(channel__isnull=False),
                                   name="notify_rule_channel_named"),
        ]
        indexes = [
            # Used by emit: the active rules of one event.
            models.Index(fields=["event"], condition=Q(active=True), name="notify_rule_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.get_audience_display()}"


class MessageTemplate(models.Model):
    """An admin's version of an event's message in one language; the shipped file is the default."""

    event = models.CharField(_("事件"), max_length=60)
    language = models.CharField(_("语言"), max_length=10, choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    subject = models.CharField(_("主题"), max_length=300)
    text = models.TextField(_("纯文本正文"))
    html = models.TextField(_("HTML 正文"), blank=True, help_text=_("留空时由纯文本生成。"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [models.UniqueConstraint(fields=["event", "language"], name="notify_template_unique")]

    def __str__(self) -> str:
        return f"{self.event} ({self.language})"


class Preference(models.Model):
    """The language a user or a dealer's addresses get their messages in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="notify_preference")
    dealer = models.OneToOneField("registry.Dealer", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="notify_preference")
    language = models.CharField(_("通知语言"), max_length=10, choices=LANGUAGES, default=DEFAULT_LANGUAGE)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False, dealer__isnull=True)
                                   | Q(user__isnull=True, dealer__isnull=False), name="notify_preference_one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.dealer}: {self.language}"


class FailingAddress(models.Model):
    """An address that bounced: kept off the address list until staff clear it."""

    address = models.CharField(_("地址"), max_length=254, unique=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    since = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("退信地址")
        verbose_name_plural = _("退信地址")

    def __str__(self) -> str:
        return self.address
