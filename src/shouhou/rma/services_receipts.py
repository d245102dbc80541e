"""Units that arrive without an approved service form (DESIGN §2, "擅自将返修件直接发到我司").

The service centre logs the parcel as an unannounced receipt; the unit's dealer is asked for the
form through the notification outbox; no vendor clock runs. When a service order for the serial
is approved, `rma.services.line_apply` takes the unit over (`receipt_take_over`): the line goes
straight to received with its deadlines counted from the approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.roles import Role
from shouhou.core.services import audit_record
from shouhou.domain.errors import Forbidden, Invalid
from shouhou.notify.services import emit
from shouhou.registry.models import Unit, normalize_serial
from shouhou.rma.models import OrderLine, Receipt, ReceiptPhoto, ReceiptStatus
from shouhou.rma.policy import policy_current
from shouhou.rma.selectors_ui import RECEIVABLE_STATES
from shouhou.rma.service_form import topology_kind
from shouhou.workdays import clock

RECEIVERS = (Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN)
MAX_PHOTOS = 5
MAX_TEXT = 2000


def _receiver(actor: User) -> None:
    if not actor.has_role(*RECEIVERS):
        raise Forbidden(_("只有售后服务中心可以登记到货。"))


def _text(value: str | None, field: str, *, limit: int = 100) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid(_("“%(field)s”不能超过 %(max)s 个字符。") % {"field": field, "max": limit},
                      reason="receipt_too_long", field=field)
    return value


def _unit_of(serial: str) -> Unit | None:
    """The registered unit of SERIAL, or None (unknown, or ambiguous across models: match later)."""
    units = list(Unit.objects.filter(serial=serial).select_related("dealer")[:2])
    return units[0] if len(units) == 1 else None


def _check_photos(photos: Sequence[File]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("最多上传 %(n)s 张到货照片。") % {"n": MAX_PHOTOS}, reason="too_many_photos", field="photos")
    for photo in photos:
        try:
            kind = topology_kind(photo)
        except Invalid:
            kind = ""
        if kind not in ("png", "jpeg"):
            raise Invalid(_("到货照片须为 PNG 或 JPEG 图片，且不超过 10 MB。"), reason="photo_type", field="photos")


def _refuse_if_not_unannounced(unit: Unit, receipt: Receipt | None = None) -> None:
    if OrderLine.objects.filter(unit=unit, state__in=RECEIVABLE_STATES).exists():
        raise Invalid(_("序列号 %(serial)s 有已授权的服务单，请直接签收。") % {"serial": unit.serial},
                      reason="has_approved_form", field="serial")
    waiting = Receipt.objects.filter(unit=unit, status=ReceiptStatus.AWAITING_FORM)
    if receipt is not None:
        waiting = waiting.exclude(pk=receipt.pk)
    if waiting.exists():
        raise Invalid(_("序列号 %(serial)s 已登记为未预约到货，正在等待代理商补单。") % {"serial": unit.serial},
                      reason="already_waiting", field="serial")


def _ask_dealer_for_form(receipt: Receipt) -> None:
    """Emit `rma.form_requested`: the dealer is asked for the service form (inside the transaction)."""
    if receipt.dealer is None:
        return
    policy = policy_current()
    emit("rma.form_requested", dealer=receipt.dealer, obj=receipt, data={
        "receipt_id": receipt.pk, "serial": receipt.serial, "carrier": receipt.carrier, "tracking": receipt.tracking,
        "condition": receipt.condition, "received": clock.localtime(receipt.received_at).strftime("%Y-%m-%d %H:%M"),
        "portal_url": f"{reverse('portal_order_new')}?{urlencode({'serial': receipt.serial})}",
        "staff_url": reverse("rma_receipt", args=[receipt.pk]),
        "policy_url": f"{settings.BASE_URL}{reverse('policy_public')}",
        "policy_version": policy.version if policy else None,
    })


@transaction.atomic
def receipt_log(*, actor: User, serial: str, carrier: str = "", tracking: str = "", condition: str = "",
                at: datetime | None = None, photos: Sequence[File] = (), now: datetime | None = None) -> Receipt:
    """Log a parcel that arrived without an approved form and ask its dealer for the form.

    An unknown serial is logged too (no dealer yet; `receipt_match` links it later). Raises
    Forbidden (not the service centre), Invalid (no serial, a time in the future, a unit whose
    approved form is waiting for it, a unit already waiting, a photo that is not PNG/JPEG).
    """
    _receiver(actor)
    now = now or timezone.now()
    serial = normalize_serial(_text(serial, "serial", limit=64))
    if not serial:
        raise Invalid(_("请填写序列号。"), reason="serial_missing", field="serial")
    if at is not None and at > now:
        raise Invalid(_("时间不能晚于当前时间"), reason="receipt_in_future", field="at")
    _check_photos(photos)
    unit = _unit_of(serial)
    if unit is not None:
        _refuse_if_not_unannounced(unit)
    receipt = Receipt(serial=serial, unit=unit, dealer=unit.dealer if unit else None,
                      carrier=_text(carrier, "carrier"), tracking=_text(tracking, "tracking"),
                      condition=_text(condition, "condition", limit=MAX_TEXT), received_at=at or now,
                      received_by=actor)
    try:
        with transaction.atomic():
            receipt.save()
    except IntegrityError:  # the same unit logged at the same moment by another desk
        raise Invalid(_("序列号 %(serial)s 已登记为未预约到货，正在等待代理商补单。") % {"serial": serial},
                      reason="already_waiting", field="serial") from None
    for photo in photos:
        stored = ReceiptPhoto(receipt=receipt, uploaded_by=actor)
        stored.file.save(f"receipt.{topology_kind(photo).replace('jpeg', 'jpg')}", photo, save=False)
        stored.save()
    audit_record(receipt, "receipt.logged", actor=actor, dealer_id=receipt.dealer_id, data={
        "serial": serial, "unit": unit.pk if unit else None, "carrier": receipt.carrier,
        "tracking": receipt.tracking, "condition": receipt.condition, "at": receipt.received_at.isoformat(),
        "photos": len(photos)})
    _ask_dealer_for_form(receipt)
    return receipt


@transaction.atomic
def receipt_match(*, receipt: Receipt, actor: User, serial: str) -> Receipt:
    """Link a receipt logged under an unknown serial to the registered unit SERIAL and ask its
    dealer for the form. Raises Forbidden, Invalid (already matched or taken over, no such unit)."""
    _receiver(actor)
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.unit_id is not None or receipt.status != ReceiptStatus.AWAITING_FORM:
        raise Invalid(_("该到货记录已匹配设备。"), reason="already_matched", field="serial")
    unit = _unit_of(normalize_serial(_text(serial, "serial", limit=64)))
    if unit is None:
        raise Invalid(_("序列号 %(serial)s 未登记或不唯一，请先在设备档案中登记。") % {"serial": serial.strip()},
                      reason="unit_unknown", field="serial")
    _refuse_if_not_unannounced(unit, receipt)
    old = receipt.serial
    receipt.unit, receipt.dealer, receipt.serial = unit, unit.dealer, unit.serial
    try:
        with transaction.atomic():
            receipt.save(update_fields=["unit", "dealer", "serial"])
    except IntegrityError:
        raise Invalid(_("序列号 %(serial)s 已登记为未预约到货，正在等待代理商补单。") % {"serial": unit.serial},
                      reason="already_waiting", field="serial") from None
    audit_record(receipt, "receipt.matched", actor=actor, dealer_id=receipt.dealer_id,
                 data={"logged_serial": old, "serial": unit.serial, "unit": unit.pk})
    _ask_dealer_for_form(receipt)
    return receipt


def receipt_waiting_for(line: OrderLine) -> Receipt | None:
    """The unannounced receipt waiting for LINE's unit, locked (call inside the line's transaction)."""
    if line.unit_id is None:
        return None
    return (Receipt.objects.select_for_update()
            .filter(unit_id=line.unit_id, status=ReceiptStatus.AWAITING_FORM).first())


def receipt_take_over(receipt: Receipt, *, line: OrderLine, at: datetime) -> None:
    """LINE, just approved, took the unit over; the receipt is done (the caller audits the step)."""
    receipt.status, receipt.line, receipt.taken_over_at = ReceiptStatus.TAKEN_OVER, line, at
    receipt.save(update_fields=["status", "line", "taken_over_at"])
