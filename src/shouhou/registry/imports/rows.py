"""Rows of an import file: the columns each kind accepts (Chinese or English headers), row errors
and their bilingual messages, the result of a run, and the cell parsers every step shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shouhou.domain.errors import NotFound
from shouhou.domain.parsing import parse_date
from shouhou.domain.regions import find_region
from shouhou.domain.regions import region as region_lookup
from shouhou.registry.imports.read import Table, UnusableInput

__all__ = ["COLUMNS", "ERROR_CAP", "KINDS", "ImportResult", "Progress", "RowError", "iter_cells", "map_headers",
           "no_data_rows", "parse_date", "region_code"]

KINDS = ("models", "dealers", "units")

# The most errors kept for the report (the count of rejected rows is always exact).
ERROR_CAP = 10_000

Progress = Callable[[str, int, "int | None", str, int], None]  # phase, done, total, unit, rows

# Canonical column -> (Chinese label, English label, accepted header spellings).
COLUMNS: dict[str, dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "units": {
        "serial": ("序列号", "serial", ("serial", "序列号", "sn", "serial_number", "序列号sn")),
        "model": ("型号", "model", ("model", "型号", "型号代码", "model_code", "产品型号")),
        "shipped_on": ("发货日期", "shipped_on", ("shipped_on", "发货日期", "shipped", "发货日")),
        "sold_on": ("售出日期", "sold_on", ("sold_on", "售出日期", "sold", "销售日期")),
        "dealer": ("代理商", "dealer", ("dealer", "代理商", "代理商代码", "dealer_code")),
        "region": ("地区", "region", ("region", "地区", "销售地区", "region_code", "地区代码")),
        "customer": ("终端客户", "customer", ("customer", "终端客户", "客户")),
        "replaces": ("替换序列号", "replaces", ("replaces", "替换序列号", "替换")),
    },
    "models": {
        "code": ("型号代码", "code", ("code", "型号代码", "model", "型号")),
        "name": ("名称", "name", ("name", "名称", "型号名称")),
        "replacement_days": ("包换期天数", "replacement_days", ("replacement_days", "包换期天数", "包换期")),
        "warranty_months": ("保修月数", "warranty_months", ("warranty_months", "保修月数", "保修期")),
        "discontinued_on": ("停产日期", "discontinued_on", ("discontinued_on", "停产日期")),
    },
    "dealers": {
        "code": ("代码", "code", ("code", "代码", "代理商代码", "dealer_code")),
        "name": ("名称", "name", ("name", "名称", "代理商名称")),
        "phone": ("电话", "phone", ("phone", "电话")),
        "email": ("邮箱", "email", ("email", "邮箱", "电子邮箱")),
        "regions": ("服务地区", "regions", ("regions", "服务地区", "地区")),
    },
}
REQUIRED = {
    "units": ("serial", "model"),
    "models": ("code", "name", "replacement_days", "warranty_months"),
    "dealers": ("code", "name"),
}
KEY_COLUMN = {"units": "serial", "models": "code", "dealers": "code"}

# code -> (Chinese, English) templates; placeholders: value, extra.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("{column_zh}不能为空", "{column_en} is empty"),
    "serial_format": ('序列号 "{value}" 格式不正确（字母、数字和 - _ / .，3–64 位）',
                      'bad serial "{value}" (letters, digits and - _ / ., 3–64 characters)'),
    "code_format": ('代码 "{value}" 格式不正确（字母、数字、点、下划线和连字符，最长 32 位）',
                    'bad code "{value}" (letters, digits, . _ -, at most 32 characters)'),
    "model_unknown": ('型号 "{value}" 不存在', 'unknown model "{value}"'),
    "dealer_unknown": ('代理商 "{value}" 不存在', 'unknown dealer "{value}"'),
    "region_unknown": ('地区 "{value}" 不存在', 'unknown region "{value}"'),
    "date_format": ('{column_zh} "{value}" 不是有效日期（YYYY-MM-DD、YYYY/MM/DD 或 YYYY.MM.DD）',
                    '{column_en} "{value}" is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD)'),
    "sold_before_shipped": ("售出日期 {value} 早于发货日期 {extra}", "sold_on {value} is before shipped_on {extra}"),
    "duplicate": ("序列号在文件中重复（与第 {extra} 行）", "repeated in the file (see row {extra})"),
    "duplicate_code": ("代码在文件中重复（与第 {extra} 行）", "repeated in the file (see row {extra})"),
    "replaces_self": ("替换序列号不能是自身", "a unit cannot replace itself"),
    "replaces_unknown": ('替换序列号 "{value}" 不存在', 'replaces unknown serial "{value}"'),
    "replaces_taken": ('序列号 "{value}" 已被 {extra} 替换', '"{value}" is already replaced by {extra}'),
    "replaces_loop": ('替换关系形成循环（"{value}"）', 'replacement loop with "{value}"'),
    "too_long": ("{column_zh}超过 {extra} 个字符", "{column_en} is longer than {extra} characters"),
    "not_integer": ('{column_zh} "{value}" 不是非负整数', '{column_en} "{value}" is not a whole number ≥ 0'),
    "email_format": ('邮箱 "{value}" 格式不正确', 'bad email "{value}"'),
    "extra_cells": ("该行的单元格比表头多", "the row has more cells than the header"),
}


@dataclass(frozen=True)
class RowError:
    row: int
    key: str
    column: str
    code: str
    value: str = ""
    extra: str = ""
    kind: str = "units"

    def _labels(self) -> dict[str, str]:
        zh, en, _aliases = COLUMNS[self.kind].get(self.column, (self.column, self.column, ()))
        return {"column_zh": zh, "column_en": en, "value": self.value, "extra": self.extra}

    @property
    def reason_zh(self) -> str:
        return MESSAGES[self.code][0].format(**self._labels())

    @property
    def reason_en(self) -> str:
        return MESSAGES[self.code][1].format(**self._labels())

    def __str__(self) -> str:
        key_zh, key_en, _aliases = COLUMNS[self.kind][KEY_COLUMN[self.kind]]
        where_zh = f'第 {self.row} 行 {key_zh} "{self.key}"' if self.key else f"第 {self.row} 行"
        where_en = f"row {self.row} {key_en}" if self.key else f"row {self.row}"
        return f"{where_zh}: {self.reason_zh} / {where_en}: {self.reason_en}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "key": self.key, "column": self.column, "code": self.code,
                "value": self.value, "extra": self.extra, "kind": self.kind}


@dataclass
class ImportResult:
    kind: str
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    written: bool = False
    dry_run: bool = False
    all_or_nothing: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        if self.dry_run:
            verb_zh, verb_en = "试运行，未写入", "dry run, nothing written"
        elif self.written:
            verb_zh, verb_en = "已写入", "written"
        else:
            verb_zh, verb_en = "有错误行，未写入任何数据", "rows rejected, nothing written"
        return (
            f"{self.file_name}: 共 {self.rows} 行，新增 {self.created}，更新 {self.updated}，拒绝 {self.rejected}"
            f"（{verb_zh}） / {self.rows} rows, {self.created} created, {self.updated} updated, "
            f"{self.rejected} rejected ({verb_en})"
        )


def _norm_header(text: str) -> str:
    return "".join(str(text).replace("\ufeff", "").split()).strip("*").lower()


def map_headers(kind: str, header: list[str]) -> dict[str, int]:
    """Column name -> index in the row; raises UnusableInput for unknown, repeated or missing headers."""
    aliases = {_norm_header(a): col for col, (_zh, _en, names) in COLUMNS[kind].items() for a in names}
    index: dict[str, int] = {}
    unknown: list[str] = []
    for i, title in enumerate(header):
        norm = _norm_header(title)
        if not norm:
            continue
        col = aliases.get(norm)
        if col is None:
            unknown.append(str(title).strip())
        elif col in index:
            raise UnusableInput(f"表头“{title}”重复", f'header "{title}" appears twice')
        else:
            index[col] = i
    accepted_zh = "、".join(zh for zh, _en, _a in COLUMNS[kind].values())
    accepted_en = ", ".join(en for _zh, en, _a in COLUMNS[kind].values())
    if unknown:
        raise UnusableInput(
            f"无法识别的表头：{'、'.join(unknown)}（可用：{accepted_zh}）",
            f"unknown headers: {', '.join(unknown)} (accepted: {accepted_en})",
        )
    missing = [c for c in REQUIRED[kind] if c not in index]
    if missing:
        raise UnusableInput(
            f"缺少必需的列：{'、'.join(COLUMNS[kind][c][0] for c in missing)}（可用：{accepted_zh}）",
            f"missing required columns: {', '.join(missing)} (accepted: {accepted_en})",
        )
    return index


def iter_cells(table: Table, width: int, on_extra: Callable[[int], None]) -> Iterable[tuple[int, list[Any]]]:
    """Rows padded to WIDTH; blank rows skipped; ON_EXTRA(row) for a row with non-empty extra cells."""
    for number, cells in table.rows:
        n = len(cells)
        if n < width:
            cells = [*cells, *([""] * (width - n))]
        elif n > width:
            if any(str(c).strip() for c in cells[width:]):
                on_extra(number)
            cells = cells[:width]
        yield number, cells


def no_data_rows(name: str) -> UnusableInput:
    return UnusableInput(f"文件 {name} 只有表头，没有数据行", f"{name} has a header but no data rows")


def region_code(text: str) -> str | None:
    """A region's code from its code or its name (南宁, 广西壮族自治区); None when there is none."""
    if text.isdigit():
        try:
            return region_lookup(text).code
        except NotFound:
            return None
    found = find_region(text)
    return found.code if found else None
