"""Inbound mail: every message taken and what it became, and how far each IMAP mailbox was read.

Bounces mark addresses failing in the outbox (`notify.FailingAddress`), replies thread through the
Message-IDs the outbox sent (`notify.Message`), and answers go out through `notify.emit`: one place
for each of those facts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    THREADED = "threaded", _("已归入时间线")
    QUOTE_CONFIRMED = "quote_confirmed", _("已确认报价")
    ORDER_DRAFTED = "order_drafted", _("已生成服务单草稿")
    FORM_REFUSED = "form_refused", _("服务单不完整")
    CASE_OPENED = "case_opened", _("已开服务案例")
    UNMATCHED = "unmatched", _("待处理")
    BOUNCE = "bounce", _("退信")
    IGNORED = "ignored", _("自动邮件，已忽略")
    REFUSED = "refused", _("已拒收")
    HANDLED = "handled", _("已人工处理")


class InboundStatusGroups:
    # Messages staff still have to look at.
    OPEN = (InboundStatus.UNMATCHED, InboundStatus.FORM_REFUSED)


class InboundSource(models.TextChoices):
    PIPE = "pipe", _("管道（MTA）")
    IMAP = "imap", _("IMAP")


class ReplyState(models.TextChoices):
    NONE = "", _("无需回复")
    QUEUED = "queued", _("已交发件箱")
    SUPPRESSED = "suppressed", _("不回复（防循环）")


class InboundMessage(models.Model):
    """One message taken by `shouhou mail ingest` or `fetch`, and what it became."""

    message_id = models.CharField(_("Message-ID"), max_length=255)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    source = models.CharField(_("来源"), max_length=8, choices=InboundSource.choices)
    from_address = models.CharField(_("发件人地址"), max_length=254, blank=True)
    from_name = models.CharField(_("发件人"), max_length=200, blank=True)
    subject = models.CharField(_("主题"), max_length=500, blank=True)
    headers = models.JSONField(_("邮件头"), default=dict, blank=True)
    text = models.TextField(_("正文（不含引用）"), blank=True)
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    # The message as received (null when refused for its size): kept for staff and re-processing.
    raw = models.BinaryField(_("原始邮件"), null=True, blank=True, editable=False)
    status = models.CharField(_("结果"), max_length=16, choices=InboundStatus.choices)
    reason = models.CharField(_("原因代码"), max_length=40, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    auto = models.BooleanField(_("自动邮件"), default=False,
                               help_text=_("自动回复、群发、退信或本系统发出的邮件：从不回复。"))
    dealer = models.ForeignKey("registry.Dealer", verbose_name=_("代理商"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    order = models.ForeignKey("rma.ServiceOrder", verbose_name=_("服务单"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name=_("服务案例"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    case_number = models.CharField(_("服务案例号"), max_length=32, blank=True)
    reply_state = models.CharField(_("回复"), max_length=12, choices=ReplyState.choices, default=ReplyState.NONE,
                                   blank=True)
    reply = models.JSONField(_("回复内容"), default=dict, blank=True,
                             help_text=_("回复的事件与数据（由通知模块按收件人语言生成邮件）。"))
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey("core.User", verbose_name=_("处理人"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")

    dealer_scope = "dealer"

    class Meta:
        verbose_name = _("收到的邮件")
        verbose_name_plural = _("收到的邮件")
        ordering = ["-received_at", "-id"]
        constraints = [
            # Idempotency: a redelivered or refetched message is the same message.
            models.UniqueConstraint(fields=["message_id"], name="mail_inbound_message_id_unique"),
            models.CheckConstraint(condition=~Q(reply_state="queued") | Q(auto=False),
                                   name="mail_inbound_never_answer_auto_queued"),
            models.CheckConstraint(condition=Q(raw__isnull=False) | Q(status="refused"),
                                   name="mail_inbound_raw_kept_unless_refused"),
        ]
        indexes = [
            # Used by the inbound log filtered by status, newest first.
            models.Index(fields=["status", "-received_at"], name="mail_inbound_status_idx"),
            # Used by the unfiltered inbound log, newest first.
            models.Index(fields=["-received_at"], name="mail_inbound_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address} {self.subject[:40]}"


class ImapCursor(models.Model):
    """How far `shouhou mail fetch` has read one mailbox: UIDs up to `last_uid` are taken."""

    mailbox = models.CharField(_("邮箱"), max_length=400, help_text=_("user@host:port/folder，不含密码。"))
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"))
    last_uid = models.BigIntegerField(_("已读到 UID"), default=0)
    fetched_at = models.DateTimeField(_("最近收取"), null=True, blank=True)

    class Meta:
        verbose_name = _("IMAP 收取进度")
        verbose_name_plural = _("IMAP 收取进度")
        constraints = [models.UniqueConstraint(fields=["mailbox"], name="mail_imap_cursor_unique")]

    def __str__(self) -> str:
        return f"{self.mailbox} uid>{self.last_uid}"
