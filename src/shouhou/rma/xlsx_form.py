"""The service form as an xlsx template (openpyxl): generated per dealer, filled in Excel or WPS,
uploaded back and parsed into a DRAFT order that the dealer reviews and submits.

Sheets: 填写说明 (instructions), 售后服务单 (one unit per row, header in row 1, frozen) and
联系信息 (the dealer's details, pre-filled). Errors name the sheet row and the column as the
dealer sees them in Excel: `第 3 行 序列号：X123 不存在`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shouhou.core.sheets import xlsx_set
from shouhou.registry.models import Dealer, normalize_serial
from shouhou.rma.service_form import MAX_FORM_LINES, describe_with_row, validate_service_form

FORM_SHEET = "售后服务单"
CONTACT_SHEET = "联系信息"
HELP_SHEET = "填写说明"
COLUMNS = (("serial", "序列号", 24), ("fault", "故障描述", 60), ("advance", "申请提前换货", 16),
           ("advance_reason", "提前换货理由", 40))
CONTACT_ROWS = (("dealer_code", "代理商代码"), ("dealer_name", "代理商名称"), ("contact_name", "联系人"),
                ("contact_phone", "联系电话"), ("contact_email", "联系邮箱"), ("return_address", "回寄地址"))
TEMPLATE_ROWS = 200  # rows offered with the drop-down
MAX_ROWS = MAX_FORM_LINES
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Zip-bomb guard: the unpacked size and the number of parts of an honest form are small.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 200
ZIP_MAGIC = b"PK\x03\x04"
YES, NO = "是", "否"

INSTRUCTIONS = [
    "售后服务单填写说明",
    "",
    "1. 在“售后服务单”工作表中每行填写一台设备，第 1 行是表头，请不要修改或删除表头。",
    "2. 序列号：设备机箱条码、保修卡或包装箱上的序列号，也可在云管理平台中查看。必须是本代理商名下的设备。",
    "3. 故障描述：请写明故障现象、出现时间以及已做过的排查（客户机、主板、内存、硬盘、无盘软件、计费软件等）。",
    "4. 申请提前换货：从下拉框选择“是”或“否”，留空视为“否”。选择“是”时必须填写提前换货理由；"
    "提前换货仅适用于包换期内的设备，由售后服务中心审核决定。",
    "5. “联系信息”工作表已预填本代理商的资料，如有变化请直接修改；联系人、联系电话、回寄地址必须填写。",
    "6. 保存后在代理商门户“上传 Excel 服务单”中上传。上传成功后生成草稿，请在网页上为每台设备上传配置拓扑图，"
    "核对后提交。",
    "7. 文件须为 .xlsx 格式，不超过 5 MB，一次最多 200 台设备。",
]


def template_bytes(dealer: Dealer) -> bytes:
    """The xlsx service form of DEALER, its details pre-filled."""
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    for row, text in enumerate(INSTRUCTIONS, start=1):
        cell = help_ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_ws["A1"].font = Font(bold=True, size=14)
    help_ws.column_dimensions["A"].width = 110

    ws = wb.create_sheet(FORM_SHEET)
    header_fill = PatternFill("solid", fgColor="DDE7FA")
    for col, (_key, title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                            errorTitle="申请提前换货", error="请选择“是”或“否”")
    ws.add_data_validation(yes_no)
    yes_no.add(f"C2:C{TEMPLATE_ROWS + 1}")

    contact = wb.create_sheet(CONTACT_SHEET)
    values = {"dealer_code": dealer.code, "dealer_name": dealer.name, "contact_name": dealer.contact_name,
              "contact_phone": dealer.phone or dealer.mobile, "contact_email": dealer.email,
              "return_address": dealer.address}
    for row, (key, title) in enumerate(CONTACT_ROWS, start=1):
        contact.cell(row=row, column=1, value=title).font = Font(bold=True)
        xlsx_set(contact.cell(row=row, column=2), values[key])  # a dealer's own text: never a formula
    contact.column_dimensions["A"].width = 16
    contact.column_dimensions["B"].width = 60
    contact.freeze_panes = "A1"
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ParsedForm:
    """A parsed upload: the header, the lines (service input), and every problem found."""

    dealer_code: str = ""
    header: dict[str, str] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_file(upload: IO[bytes], size: int | None) -> bytes:
    """The upload's bytes if it is a sane xlsx by content; raises ValueError with a Chinese message."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValueError(_("文件超过 5 MB，请拆分后上传。"))
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(_("文件超过 5 MB，请拆分后上传。"))
    if not data.startswith(ZIP_MAGIC):
        raise ValueError(_("文件不是 Excel（.xlsx）格式，请使用下载的模板。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
    except zipfile.BadZipFile:
        raise ValueError(_("文件已损坏，无法读取。")) from None
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise ValueError(_("文件内容异常（解压后过大），已拒绝。"))
    return data


def parse(upload: IO[bytes], *, size: int | None, dealer: Dealer) -> ParsedForm:
    """Read a filled template into a ParsedForm for DEALER; file-level problems raise ValueError."""
    data = check_file(upload, size)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many kinds for a file that is not a workbook)
        raise ValueError(_("文件无法作为 Excel 工作簿打开，请使用下载的模板。")) from None
    if FORM_SHEET not in wb.sheetnames:
        raise ValueError(_("找不到“%(sheet)s”工作表，请使用下载的模板。") % {"sheet": FORM_SHEET})
    parsed = ParsedForm()
    if CONTACT_SHEET in wb.sheetnames:
        values = {}
        for row in wb[CONTACT_SHEET].iter_rows(min_row=1, max_row=len(CONTACT_ROWS), max_col=2, values_only=True):
            if row and row[0] is not None:
                values[_text(row[0])] = _text(row[1] if len(row) > 1 else None)
        for key, title in CONTACT_ROWS:
            parsed.header[key] = values.get(title, "")
        parsed.dealer_code = parsed.header.pop("dealer_code", "")
        parsed.header.pop("dealer_name", None)
    if parsed.dealer_code and parsed.dealer_code != dealer.code:
        parsed.errors.append(_("联系信息 代理商代码：%(code)s 不是本代理商（%(own)s）") % {
            "code": parsed.dealer_code, "own": dealer.code})
    ws = wb[FORM_SHEET]
    rows = ws.iter_rows(min_row=1, max_col=len(COLUMNS), values_only=True)
    header = [_text(v) for v in next(rows, ())]
    expected = [title for _key, title, _width in COLUMNS]
    if header[:len(expected)] != expected:
        raise ValueError(_("“%(sheet)s”第 1 行表头应为：%(columns)s") % {
            "sheet": FORM_SHEET, "columns": "、".join(expected)})
    raw_lines: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        cells = {key: _text(values[i] if i < len(values) else None) for i, (key, _t, _w) in enumerate(COLUMNS)}
        if not any(cells.values()):
            continue
        if len(raw_lines) >= MAX_ROWS:
            raise ValueError(_("一次最多 %(max)s 台设备，请拆分后上传。") % {"max": MAX_ROWS})
        raw_lines.append((number, cells))
    wb.close()
    for number, cells in raw_lines:
        advance = cells["advance"]
        parsed.lines.append({"row": number, "serial": normalize_serial(cells["serial"]), "fault": cells["fault"],
                             # "是"/"否"/blank; anything else goes to the check as it is (not a yes or no)
                             "advance_requested": {YES: True, NO: False, "": False}.get(advance, advance),
                             "advance_reason": cells["advance_reason"]})
    if not raw_lines:
        parsed.errors.append(_("“%(sheet)s”中没有填写任何设备") % {"sheet": FORM_SHEET})
        return parsed
    # The one service-form check, rows numbered as in the sheet; diagrams come later in the portal.
    problems = validate_service_form(
        dealer=dealer, contact_name=parsed.header.get("contact_name", ""),
        contact_phone=parsed.header.get("contact_phone", ""), contact_email=parsed.header.get("contact_email", ""),
        return_address=parsed.header.get("return_address", ""), lines=parsed.lines, reported_on=None,
        topology_required=False)
    parsed.errors += [describe_with_row(p) for p in problems]
    for line in parsed.lines:
        del line["row"]
        if not isinstance(line["advance_requested"], bool):
            line["advance_requested"] = False
    return parsed
