"""The one check of a service form (售后服务单), whatever it came by: the web form, the xlsx
template, the API or an emailed xlsx.

``validate_service_form(...)`` returns every problem at once as structured ``FormError``s (row,
field, code, params) so that a dealer fixes them in one go; each channel only translates them
(``describe`` for the text, the channel's own row and column naming around it). ``check_service_form``
returns the same errors plus the checked lines that ``order_submit`` writes.

Codes: ``required``, ``invalid_email``, ``too_long`` (max), ``too_many`` (max), ``unknown_serial``,
``duplicate_serial`` (first), ``in_service`` (number), ``no_warranty_start``, ``not_bool``,
``bad_topology``, ``topology_too_large`` (max_mb). Fields: ``contact.name``, ``contact.phone``,
``contact.email``, ``return_address``, ``lines`` (header, ``row`` None) and, per line, ``serial``,
``fault``, ``advance_requested``, ``advance_reason``, ``topology``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhou.domain.errors import Invalid
from shouhou.registry.models import Dealer, Unit, normalize_serial, unit_coverage
from shouhou.rma.models import OPEN_STATES, OrderLine, ServiceOrder

# Units on one service form, whichever way it comes in (the xlsx template says 200).
MAX_FORM_LINES = 200
MAX_TOPOLOGY_BYTES = 10 * 1024 * 1024
# Content, not the name or the browser's word for it, decides what a file is.
TOPOLOGY_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"%PDF-", "pdf"))


@dataclass(frozen=True)
class FormError:
    """One problem: ROW is the line's number as its channel counts it (None for the header)."""

    row: int | None
    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class CheckedLine:
    row: int
    unit: Unit
    coverage: str
    fault: str
    advance_requested: bool
    advance_reason: str
    topology: File | None


@dataclass
class CheckedForm:
    errors: list[FormError]
    lines: list[CheckedLine]


def topology_kind(upload: File) -> str:
    """"png", "jpeg" or "pdf" by the file's first bytes; raises Invalid (reason bad_topology or
    topology_too_large) for anything else."""
    if upload.size is not None and upload.size > MAX_TOPOLOGY_BYTES:
        raise Invalid(_("配置拓扑图不能超过 10 MB。"), reason="topology_too_large", field="topology",
                      max_mb=MAX_TOPOLOGY_BYTES // (1024 * 1024))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, kind in TOPOLOGY_MAGIC:
        if head.startswith(magic):
            return kind
    raise Invalid(_("配置拓扑图须为 PNG、JPEG 图片或 PDF 文件。"), reason="bad_topology", field="topology")


def check_service_form(
    *,
    dealer: Dealer,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    return_address: str = "",
    lines: Sequence[Mapping[str, Any]],
    reported_on: date | None,
    topology_required: bool = True,
    exclude_order: ServiceOrder | None = None,
    stored_topologies: Collection[str] = frozenset(),
    header: bool = True,
) -> CheckedForm:
    """Every problem of the form and, where a line has none, the line ready to write.

    LINES are mappings with ``serial`` (or ``unit``), ``fault``, ``advance_requested``,
    ``advance_reason``, ``topology`` and optionally ``row`` (the number the channel shows; by
    default the 1-based position). REPORTED_ON dates the coverage (None: coverage is not looked
    at, e.g. a draft). EXCLUDE_ORDER is the draft being submitted (its own lines are not "in
    service"); STORED_TOPOLOGIES the serials whose diagram a draft already has. HEADER=False checks
    the lines only (the web form checks its header fields itself).
    """
    errors: list[FormError] = []
    if header:
        for name, value in (("contact.name", contact_name), ("contact.phone", contact_phone),
                            ("return_address", return_address)):
            if not value.strip():
                errors.append(FormError(None, name, "required"))
        if contact_email.strip():
            try:
                validate_email(contact_email.strip())
            except ValidationError:
                errors.append(FormError(None, "contact.email", "invalid_email"))
        for name, value, column in (("contact.name", contact_name, "contact_name"),
                                    ("contact.phone", contact_phone, "contact_phone"),
                                    ("contact.email", contact_email, "contact_email")):
            longest = ServiceOrder._meta.get_field(column).max_length
            if longest is not None and len(value.strip()) > longest:
                errors.append(FormError(None, name, "too_long", {"max": longest}))
    if not lines:
        errors.append(FormError(None, "lines", "required"))
        return CheckedForm(errors, [])
    if len(lines) > MAX_FORM_LINES:
        errors.append(FormError(None, "lines", "too_many", {"max": MAX_FORM_LINES}))
        return CheckedForm(errors, [])

    serials = [normalize_serial(str(raw.get("serial") or getattr(raw.get("unit"), "serial", "") or ""))
               for raw in lines]
    units = {u.serial: u for u in Unit.objects.select_related("product_model", "replaces")
             .filter(serial__in=[s for s in serials if s])}
    busy = dict(
        OrderLine.objects.filter(unit__serial__in=list(units), state__in=OPEN_STATES)
        .exclude(order=exclude_order).values_list("unit__serial", "order__number")
    ) if units and reported_on is not None else {}
    first_row: dict[str, int] = {}
    checked: list[CheckedLine] = []
    for index, (raw, serial) in enumerate(zip(lines, serials, strict=True), start=1):
        row = int(raw.get("row") or index)
        before = len(errors)

        def problem(name: str, code: str, row: int = row, **params: Any) -> None:
            errors.append(FormError(row, name, code, params))

        fault = str(raw.get("fault") or "").strip()
        advance = raw.get("advance_requested", False)
        reason = str(raw.get("advance_reason") or "").strip()
        topology = raw.get("topology")
        unit = units.get(serial)
        coverage = ""
        if not serial:
            problem("serial", "required")
        elif serial in first_row:
            problem("serial", "duplicate_serial", serial=serial, first=first_row[serial])
        elif unit is None or unit.dealer_id != dealer.pk:
            problem("serial", "unknown_serial", serial=serial)  # another dealer's reads like an unknown one
        elif serial in busy:
            problem("serial", "in_service", serial=serial, number=busy[serial] or "")
        elif reported_on is not None:
            try:
                coverage = str(unit_coverage(unit, reported_on).status)
            except Invalid:
                problem("serial", "no_warranty_start", serial=serial)
        if serial:
            first_row.setdefault(serial, row)
        if not fault:
            problem("fault", "required")
        if not isinstance(advance, bool):
            problem("advance_requested", "not_bool")
            advance = False
        if advance and not reason:
            problem("advance_reason", "required")
        if topology:
            try:
                topology_kind(topology)
            except Invalid as exc:
                problem("topology", exc.reason, **{k: v for k, v in exc.extra.items() if k != "field"})
        elif topology_required and serial not in stored_topologies:
            problem("topology", "required")
        if len(errors) == before and unit is not None and coverage:
            checked.append(CheckedLine(row, unit, coverage, fault, advance, reason, topology or None))
    return CheckedForm(errors, checked)


def validate_service_form(**kwargs: Any) -> list[FormError]:
    """Every problem of a service form as FormErrors (empty when it may be submitted).

    Takes the arguments of ``check_service_form``: ``dealer``, ``contact_name``, ``contact_phone``,
    ``contact_email``, ``return_address``, ``lines`` (mappings: ``serial``, ``fault``,
    ``advance_requested``, ``advance_reason``, ``topology``, optional ``row``), ``reported_on``,
    ``topology_required``. For inbound mail: pass the rows of an emailed xlsx with their sheet row
    numbers and turn each error into text with ``describe`` (or your own wording by ``code``).
    """
    return check_service_form(**kwargs).errors


_FIELD_LABELS = {
    "contact.name": gettext_lazy("联系人"), "contact.phone": gettext_lazy("联系电话"),
    "contact.email": gettext_lazy("联系邮箱"), "return_address": gettext_lazy("回寄地址"),
    "lines": gettext_lazy("设备"), "serial": gettext_lazy("序列号"), "fault": gettext_lazy("故障描述"),
    "advance_requested": gettext_lazy("申请提前换货"), "advance_reason": gettext_lazy("提前换货理由"),
    "topology": gettext_lazy("配置拓扑图"),
}


def field_label(name: str) -> str:
    return str(_FIELD_LABELS.get(name, name))


def describe(error: FormError) -> str:
    """The problem in the user's language, without its row (channels add the row their way)."""
    p = {**error.params, "label": field_label(error.field)}
    texts = {
        ("lines", "required"): _("至少填写一台设备"),
        ("lines", "too_many"): _("一张服务单最多 %(max)s 台设备"),
        ("advance_reason", "required"): _("申请提前换货须填写理由"),
        ("advance_requested", "not_bool"): _("是否提前换货须为是或否"),
    }
    by_code = {
        "required": _("缺少%(label)s"),
        "invalid_email": _("%(label)s格式不正确"),
        "too_long": _("%(label)s不能超过 %(max)s 个字符"),
        "unknown_serial": _("序列号 %(serial)s 不存在或不属于本代理商"),
        "duplicate_serial": _("序列号 %(serial)s 与第 %(first)s 行重复"),
        "in_service": _("序列号 %(serial)s 已在处理中（服务单 %(number)s）"),
        "no_warranty_start": _("序列号 %(serial)s 没有有效的保修起始日期（未发货或报修日早于起始日）"),
        "bad_topology": _("配置拓扑图须为 PNG、JPEG 图片或 PDF 文件"),
        "topology_too_large": _("配置拓扑图不能超过 %(max_mb)s MB"),
    }
    if error.code == "in_service" and not p.get("number"):
        p["number"] = _("待审核")
    template = texts.get((error.field, error.code)) or by_code.get(error.code) or error.code
    return template % p


def describe_with_row(error: FormError) -> str:
    """"第 N 行：…" for a line's problem, the text alone for the header's (web form and API)."""
    text = describe(error)
    return text if error.row is None else _("第 %(row)s 行：%(text)s") % {"row": error.row, "text": text}


def error_field(error: FormError) -> str:
    """The API's field path: "contact.phone", "lines[2].serial"."""
    return error.field if error.row is None else f"lines[{error.row}].{error.field}"
