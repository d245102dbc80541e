"""PDF documents of the RMA process (reportlab, with the CJK font of `shouhou.core.pdf_fonts`).

`render(kind, line_or_order) -> bytes` is the one entry point (the outbox task attaches its
result to the notice; the pages serve it for download):

- ``repair_tracking_sheet`` (返修跟踪单) of a line: unit, dealer, dates, findings, actions,
  parts, technician, result, and a Code 128 barcode of the RMA number;
- ``return_authorisation`` (同意返厂检测) of an order (or a line's order): the RMA number, the
  service centre's address and phone, shipping instructions and the lines authorised;
- ``quote`` (维修报价单) of a line: the open (or latest) quote's items and total.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shouhou.core.env import env
from shouhou.core.pdf_fonts import cjk_font, draw_text, text_width
from shouhou.rma.models import LinePath, OrderLine, ServiceOrder
from shouhou.rma.policy import checklist, clause_label
from shouhou.workdays import clock

KINDS = ("repair_tracking_sheet", "return_authorisation", "quote")
TITLES = {"repair_tracking_sheet": "返修跟踪单", "return_authorisation": "同意返厂检测通知", "quote": "维修报价单"}

DEFAULT_ADDRESS = "深圳市龙华区福龙路龙军工业园12栋2层 售后服务中心"
DEFAULT_PHONE = "0755-83692793"

DAMAGE_LABELS = {
    "physical": "物理损坏", "liquid": "进液", "burn": "烧毁或雷击", "tampered": "封条破损或私自维修",
    "missing_parts": "配件缺失", "cosmetic": "外观",
}
COVERAGE_LABELS = {"replacement": "包换期内", "warranty": "保修期内", "out_of_warranty": "已过保",
                   "discontinued": "已停产"}


def service_centre() -> tuple[str, str]:
    """(address, phone) of the service centre, read from the environment when asked, not at import."""
    address = env("SHOUHOU_SERVICE_CENTRE_ADDRESS", "").strip() or DEFAULT_ADDRESS
    phone = env("SHOUHOU_SERVICE_CENTRE_PHONE", "").strip() or DEFAULT_PHONE
    return address, phone


def render(kind: str, line_or_order: OrderLine | ServiceOrder, *, version: int | None = None) -> bytes:
    """The PDF of KIND for a line (or an order, for the return authorisation); raises ValueError.

    VERSION numbers a tracking sheet (`rma.tracking_sheets` keeps each rendering)."""
    if kind == "return_authorisation":
        order = line_or_order.order if isinstance(line_or_order, OrderLine) else line_or_order
        return _return_authorisation(order)
    if not isinstance(line_or_order, OrderLine):
        raise ValueError(f"{kind} is a document of a line")
    if kind == "repair_tracking_sheet":
        return _repair_tracking_sheet(line_or_order, version)
    if kind == "quote":
        return _quote(line_or_order)
    raise ValueError(f"no document of kind {kind!r}")


def event_document(event: Any) -> tuple[str, bytes]:
    """The PDF of a notify event about a line (registered with `shouhou.notify.documents`).

    A tracking sheet is the latest stored version, rendered first if the line moved since: the
    mail carries the sheet as the line stands when the mail goes out.
    """
    line = OrderLine.objects.select_related("order", "order__dealer", "unit__product_model").get(pk=event.object_id)
    if event.document == "repair_tracking_sheet":
        from shouhou.rma.tracking_sheets import sheet_current

        sheet = sheet_current(line_id=line.pk)
        if sheet is not None:
            return sheet_filename(line, sheet.version), bytes(sheet.pdf)
    return filename(event.document, line), render(event.document, line)


def sheet_filename(line: OrderLine, version: int) -> str:
    """返修跟踪单 file name of one version: repair_tracking_sheet-RMA2026-000001-1-v3.pdf."""
    return filename("repair_tracking_sheet", line).removesuffix(".pdf") + f"-v{version}.pdf"


def filename(kind: str, line_or_order: OrderLine | ServiceOrder) -> str:
    order = line_or_order.order if isinstance(line_or_order, OrderLine) else line_or_order
    ref = order.number or f"order-{order.pk}"
    if isinstance(line_or_order, OrderLine) and kind != "return_authorisation":
        ref += f"-{line_or_order.position}"
    return f"{kind}-{ref}.pdf"


# --- drawing --------------------------------------------------------------------------------------


def _when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.localtime(value).strftime(fmt) if value else "—"


class _Page:
    """A top-down writer on an A4 canvas: a title, label/value rows, paragraphs, tables."""

    LEFT = 20 * mm
    RIGHT = A4[0] - 20 * mm

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=True)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("Shouhou")
        self.font = cjk_font()
        self.title = title
        self.y = A4[1] - 22 * mm
        self._header()

    def _header(self) -> None:
        size = 18
        width = text_width(self.title, size, self.font)
        draw_text(self.canvas, (A4[0] - width) / 2, self.y, self.title, size, self.font)
        self.y -= 10 * mm

    def text(self, x: float, value: str, size: float = 10) -> None:
        draw_text(self.canvas, x, self.y, value, size, self.font)

    def need(self, height: float) -> None:
        if self.y - height < 20 * mm:
            self.canvas.showPage()
            self.y = A4[1] - 22 * mm

    def section(self, heading: str) -> None:
        self.need(14 * mm)
        self.y -= 3 * mm
        self.text(self.LEFT, heading, 12)
        self.y -= 2 * mm
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.LEFT, self.y, self.RIGHT, self.y)
        self.y -= 6 * mm

    def rows(self, pairs: Iterable[tuple[str, str]], *, columns: int = 2) -> None:
        pairs = list(pairs)
        col_width = (self.RIGHT - self.LEFT) / columns
        for start in range(0, len(pairs), columns):
            self.need(7 * mm)
            for i, (label, value) in enumerate(pairs[start:start + columns]):
                x = self.LEFT + i * col_width
                self.text(x, f"{label}：", 10)
                self.text(x + 24 * mm, self._fit(value or "—", col_width - 26 * mm, 10), 10)
            self.y -= 6.5 * mm

    def paragraph(self, value: str, size: float = 10) -> None:
        for line in self._wrap(value, self.RIGHT - self.LEFT, size):
            self.need(6 * mm)
            self.text(self.LEFT, line, size)
            self.y -= 5.5 * mm

    def _fit(self, value: str, width: float, size: float) -> str:
        if text_width(value, size, self.font) <= width:
            return value
        while value and text_width(value + "…", size, self.font) > width:
            value = value[:-1]
        return value + "…"

    def _wrap(self, value: str, width: float, size: float) -> list[str]:
        lines: list[str] = []
        for raw in value.splitlines() or [""]:
            current = ""
            for ch in raw:
                if text_width(current + ch, size, self.font) > width:
                    lines.append(current)
                    current = ch
                else:
                    current += ch
            lines.append(current)
        return lines

    def barcode(self, value: str) -> None:
        code = Code128(value, barHeight=11 * mm, barWidth=0.32 * mm, humanReadable=False)
        x = self.RIGHT - code.width
        code.drawOn(self.canvas, x, self.y - 5 * mm)
        self.canvas.setFont("Helvetica", 8)
        self.canvas.drawCentredString(x + code.width / 2, self.y - 9 * mm, value)

    def finish(self) -> bytes:
        self.canvas.setFont(self.font, 8)
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _line_events(line: OrderLine) -> list[Any]:
    """The line's audit trail (its own steps), oldest first."""
    from shouhou.core.models import AuditEvent

    return list(AuditEvent.objects.filter(object_type=OrderLine._meta.label_lower, object_id=str(line.pk))
                .select_related("actor").order_by("at", "id"))


def _step_at(event: Any) -> datetime:
    """When a step happened (its `at`, which staff may date back), not when it was entered."""
    raw = (event.data or {}).get("at")
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    return event.at


def _line_dates(line: OrderLine, events: list[Any]) -> dict[str, Any]:
    """Submitted, received, inspected, repaired/replaced, shipped, closed: from the line's records."""
    last = {e.verb: e for e in events}

    def at(verb: str) -> datetime | None:
        event = last.get(verb)
        return _step_at(event) if event is not None else None

    shipments = list(line.shipments.order_by("shipped_at", "id"))
    to_dealer = [s for s in shipments if s.direction == "to_dealer"]
    repairs = list(line.repairs.order_by("completed_at"))
    return {
        "components": list(line.components or ()),
        "submitted": line.order.submitted_at,
        "faulty_sent": next((s.shipped_at for s in shipments if s.kind == "faulty"), None),
        "received": line.received_at,
        "inspected": at("line.inspect"),
        "repaired": repairs[-1].completed_at if repairs else None,
        "replaced": next((s.shipped_at for s in to_dealer if s.kind == "replacement"), None),
        "shipped": next((s.shipped_at for s in to_dealer if s.kind != "replacement"), None),
        "delivered": line.delivered_at,
        "closed": at("line.close") or at("line.cancel"),
    }


def _yes_no(value: Any) -> str:
    return {True: "是", False: "否"}.get(value, "—")


def _option_label(value: str) -> str:
    try:
        return str(LinePath(value).label)
    except ValueError:
        return value


def _step_detail(verb: str, data: dict[str, Any], line: OrderLine) -> str:
    """What a step of the line did, in a few words, from its audit data."""
    if verb == "approve" and data.get("number"):
        return f"RMA 单号 {data['number']}"
    if verb in ("approve_advance", "reject", "cancel") and data.get("reason"):
        return f"理由：{data['reason']}"
    if verb == "request_info" and data.get("message"):
        return str(data["message"])
    if verb == "receive":
        return f"外观：{data['condition']}" if data.get("condition") else ""
    if verb == "inspect":
        damage = "、".join(DAMAGE_LABELS.get(d, d) for d in data.get("damage") or ()) or "无"
        parts = [f"故障确认：{_yes_no(data.get('fault_confirmed'))}", f"损坏：{damage}"]
        if data.get("components"):
            parts.append("故障部件：" + "、".join(map(str, data["components"])))
        if data.get("path"):
            parts.append(f"处理方式：{_option_label(str(data['path']))}")
        return "；".join(parts)
    if verb == "send_quote":
        items = data.get("items") or []
        total = sum((_decimal(i.get("amount")) for i in items if isinstance(i, dict)), start=_decimal(0))
        options = "、".join(_option_label(str(o)) for o in data.get("options") or ()) or ""
        return f"{len(items)} 项，合计 ¥{total}" + (f"，可选：{options}" if options else "")
    if verb == "confirm_quote":
        text = f"选择：{_option_label(str(data.get('choice') or ''))}"
        return text + (f"，合计 ¥{data['total']}" if data.get("total") else "")
    if verb == "decline_quote":
        return "报废" if data.get("scrap") else "原样寄回"
    if verb in ("ship_to_centre", "ship_replacement", "ship_repaired", "ship_back"):
        text = f"{data.get('carrier', '')} 运单号 {data.get('tracking', '')}"
        if data.get("replacement_serial"):
            text += f"，新机序列号 {data['replacement_serial']}"
        if data.get("other_model_reason"):
            text += f"（其他型号：{data['other_model_reason']}）"
        return text
    if verb == "complete_repair":
        parts = "、".join(map(str, data.get("parts") or ())) or "无"
        return f"更换部件：{parts}；结果：{data.get('result', '')}"
    if verb == "charge":
        return f"¥{data.get('amount', '')}：{data.get('reason', '')}"
    if verb == "close" and line.scrap:
        return "已报废"
    return ""


def _decimal(value: Any) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _line_record(line: OrderLine, events: list[Any]) -> list[str]:
    """处理记录: every step of the line, when it happened, by whom, with what it did."""
    from shouhou.rma.forms import EVENT_LABELS

    rows = []
    for event in sorted(events, key=lambda e: (_step_at(e), e.pk)):
        verb = event.verb.removeprefix("line.")
        if verb == event.verb or verb not in EVENT_LABELS:
            continue  # not a step of the process (an attachment added, a mail)
        detail = _step_detail(verb, event.data or {}, line)
        who = (event.actor.get_full_name() if event.actor is not None else "") or event.actor_label
        row = f"{_when(_step_at(event))}  {EVENT_LABELS[verb]}"
        if who:
            row += f"（{who}）"
        rows.append(row + (f"：{detail}" if detail else ""))
    return rows


def _repair_tracking_sheet(line: OrderLine, version: int | None = None) -> bytes:
    """Everything that happened to LINE up to now: receipt, findings, path, quote and choice,
    repairs and parts, replacement serial, shipments, return of the faulty unit, closure."""
    order = line.order
    number = order.number or f"#{order.pk}"
    events = _line_events(line)
    page = _Page("返修跟踪单")
    page.barcode(number)
    page.text(page.LEFT, f"RMA 单号：{number}", 12)
    page.y -= 6 * mm
    page.text(page.LEFT, f"第 {line.position} 台" + (f"    第 {version} 版" if version else ""), 10)
    page.y -= 10 * mm
    unit = line.unit
    model = unit.product_model if unit is not None else None
    page.section("设备与代理商")
    page.rows([
        ("序列号", line.serial),
        ("保修状态", COVERAGE_LABELS.get(line.coverage, line.coverage or "—")),
        ("处理方式", LinePath(line.path).label if line.path else "—"),
        ("当前状态", str(line.get_state_display())),
    ])
    replacement = line.replacement_unit
    page.rows([
        ("产品型号", f"{model.code} {model.name}" if model else "—"),
        ("换货新机", (f"{replacement.serial}（{replacement.product_model.code}）" if replacement else "—")),
        ("代理商", f"{order.dealer.name}（{order.dealer.code}）"),
        ("故障描述", line.fault.replace("\n", " ")),
    ], columns=1)
    dates = _line_dates(line, events)
    page.section("时间")
    page.rows([
        ("提交", _when(dates["submitted"])),
        ("故障件寄出", _when(dates["faulty_sent"])),
        ("签收", _when(dates["received"])),
        ("检测", _when(dates["inspected"])),
        ("维修完成", _when(dates["repaired"])),
        ("换货发出", _when(dates["replaced"])),
        ("发货", _when(dates["shipped"])),
        ("送达", _when(dates["delivered"])),
        ("关闭", _when(dates["closed"])),
    ])
    page.section("检测结果")
    # Each finding with the clause of the policy pack it breaks.
    clauses = {str(item.damage): clause_label(item) for item in checklist(None)}
    damage = "、".join(DAMAGE_LABELS.get(d, d) + (f"（{clauses[d]}）" if d in clauses else "")
                      for d in line.damage or ()) or "无"
    page.rows([("故障确认", _yes_no(line.fault_confirmed)), ("损坏情况", damage),
               ("故障部件", "、".join(dates["components"]) or "—")], columns=1)
    quotes = list(line.quotes.order_by("sent_at", "id"))
    if quotes:
        page.section("报价")
        for quote in quotes:
            totals = quote.totals or {}
            amounts = "，".join(f"{_option_label(o)} ¥{totals.get(o, quote.total)}" for o in quote.options or ())
            choice = f"；代理商选择：{_option_label(quote.choice)}" if quote.choice else ""
            page.paragraph(f"{_when(quote.sent_at)}  {amounts or f'¥{quote.total}'}  "
                           f"{quote.get_status_display()}{choice}")
    page.section("维修与发货")
    repairs = list(line.repairs.select_related("technician").order_by("completed_at"))
    parts = "、".join(p for r in repairs for p in (r.parts or ())) or "—"
    technician = repairs[-1].technician if repairs else None
    page.rows([
        ("更换部件", parts),
        ("维修人员", (technician.get_full_name() or technician.username) if technician else "—"),
        ("维修结果", repairs[-1].result if repairs else "—"),
    ], columns=1)
    shipments = list(line.shipments.order_by("shipped_at", "id"))
    for s in shipments:
        serial = f"  新机序列号 {s.replacement_serial}" if s.replacement_serial else ""
        page.paragraph(f"{_when(s.shipped_at)}  {s.get_kind_display()}（{s.get_direction_display()}）  "
                       f"{s.carrier} 运单号 {s.tracking}{serial}")
    if not shipments:
        page.paragraph("尚无发货记录。")
    page.section("处理记录")
    for row in _line_record(line, events) or ["—"]:
        page.paragraph(row, 9)
    page.y -= 6 * mm
    stamp = f"第 {version} 版    " if version else ""
    page.paragraph(f"{stamp}生成时间：{_when(timezone.now())}    售后服务中心电话：{service_centre()[1]}", 9)
    return page.finish()


def _return_authorisation(order: ServiceOrder) -> bytes:
    number = order.number or f"#{order.pk}"
    address, phone = service_centre()
    page = _Page("同意返厂检测通知")
    page.barcode(number)
    page.text(page.LEFT, f"RMA 单号：{number}", 12)
    page.y -= 14 * mm
    page.section("代理商")
    page.rows([("代理商", f"{order.dealer.name}（{order.dealer.code}）"), ("联系人", order.contact_name),
               ("联系电话", order.contact_phone), ("提交时间", _when(order.submitted_at))])
    page.section("同意返厂检测的设备")
    authorised = [ln for ln in order.lines.all().order_by("position")
                  if ln.state not in ("draft", "submitted", "info_requested", "rejected", "cancelled")]
    for ln in authorised:
        advance = "（提前换货）" if ln.path == "advance_replacement" else ""
        page.paragraph(f"第 {ln.position} 台  序列号 {ln.serial}{advance}  故障：{ln.fault.replace(chr(10), ' ')}")
    if not authorised:
        page.paragraph("—")
    page.section("寄送说明")
    page.paragraph(
        f"1. 请在包装箱外醒目位置注明 RMA 单号 {number}，并随箱附上本通知。\n"
        "2. 请妥善包装，附带全部配件；序列号标签与封条须完好。\n"
        f"3. 寄送地址：{address}\n"
        f"4. 联系电话：{phone}\n"
        "5. 发出后请在代理商门户中填写承运商与运单号。"
    )
    return page.finish()


def _quote(line: OrderLine) -> bytes:
    order = line.order
    number = order.number or f"#{order.pk}"
    quote = line.quotes.order_by("-sent_at", "-id").first()
    page = _Page("维修报价单")
    page.barcode(number)
    page.text(page.LEFT, f"RMA 单号：{number}", 12)
    page.y -= 14 * mm
    page.section("设备")
    page.rows([("序列号", line.serial), ("代理商", order.dealer.name)])
    page.section("报价")
    if quote is None:
        page.paragraph("尚无报价。")
        return page.finish()
    items: list[dict[str, Any]] = list(quote.items or [])
    for item in items:
        page.paragraph(f"{item.get('text', '')}    ¥{item.get('amount', '')}")
    options = "、".join(str(LinePath(o).label) for o in quote.options or ())
    policy = f"第 {quote.policy_version.version} 版" if quote.policy_version_id else "—"
    page.rows([("合计", f"¥{quote.total}"), ("可选方案", options or "—"),
               ("有效期至", _when(quote.valid_until)), ("依据政策", policy)], columns=1)
    return page.finish()
