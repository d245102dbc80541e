"""Reading import files row by row: CSV (UTF-8 with or without BOM, GBK/GB18030) and xlsx.

Nothing here loads a whole file: CSV goes through ``csv.reader`` over a decoded stream, xlsx
through openpyxl's read-only mode. Files are recognised by their content, never by their name,
and an xlsx is refused before it is opened when its zip directory declares too much data
(a zip bomb). Everything unusable raises ``UnusableInput`` with a Chinese and English message.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024

# An xlsx of one million units unpacks to about 150 MB; a zip bomb to many GB. Real sheets
# compress 5–20×; bombs compress thousands of times.
MAX_XLSX_UNCOMPRESSED = 2 * 1024**3
MAX_XLSX_RATIO = 200
RATIO_CHECK_ABOVE = 10 * 1024**2

csv.field_size_limit(1024 * 1024)


class UnusableInput(Exception):
    """The file as a whole cannot be imported (exit 2): missing, empty, not CSV/xlsx, bad headers."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


@dataclass
class Table:
    """An open import file: its header row and an iterator over (row number, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    # Progress: position() is how far we are, in `unit`s out of `total` (None: unknown).
    position: Callable[[], int]
    total: int | None
    unit: str
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    path: Path | None = None  # the CSV file itself, for the PostgreSQL COPY fast path
    delimiter: str = ","
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self._closers):
            with contextlib.suppress(Exception):
                close()


def cell_text(value: Any) -> Any:
    """An xlsx cell as the importer wants it: text, or a date for date cells."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_table(path: str | Path, *, name: str | None = None) -> Table:
    """Open PATH as CSV or xlsx by its content; raises UnusableInput. NAME is the original name."""
    path = Path(path)
    name = name or path.name
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise UnusableInput(f"文件 {name} 不存在", f"file {name} does not exist") from None
    except IsADirectoryError:
        raise UnusableInput(f"{name} 是目录，不是文件", f"{name} is a directory, not a file") from None
    try:
        head = raw.read(SNIFF_BYTES)
        if not head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise UnusableInput(f"文件 {name} 是空的", f"file {name} is empty")
        if head.startswith(ZIP_MAGIC):
            raw.close()
            return _open_xlsx(path, name)
        if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
            raise UnusableInput(
                f"文件 {name} 不是有效的 xlsx 文件（内容不是 Excel 工作簿），请在 Excel 中另存为 xlsx 或 CSV",
                f"{name} is not a real xlsx file (its content is not an Excel workbook); "
                "save it again as xlsx or CSV",
            )
        if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UnusableInput(
                f"文件 {name} 不是 CSV 文本文件，也不是 xlsx", f"{name} is neither a CSV text file nor an xlsx"
            )
        raw.seek(0)
        return _open_csv(raw, head, name)
    except BaseException:
        raw.close()
        raise


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "gb18030"  # a superset of GBK and GB2312, what Chinese Excel writes
    return "utf-8"


def _open_csv(raw: IO[bytes], head: bytes, name: str) -> Table:
    encoding = _detect_encoding(head)
    size = Path(raw.name).stat().st_size if hasattr(raw, "name") else 0
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    first_line = head.split(b"\n", 1)[0]
    delimiter = "\t" if first_line.count(b"\t") > first_line.count(b",") else ","
    reader = csv.reader(text, delimiter=delimiter)

    def decoded(it: Iterator[list[str]]) -> Iterator[list[str]]:
        try:
            yield from it
        except UnicodeDecodeError as exc:
            raise UnusableInput(
                f"文件 {name} 第 {reader.line_num + 1} 行附近的编码不是 {encoding}，请统一保存为 UTF-8 或 GBK",
                f"{name} near line {reader.line_num + 1} is not valid {encoding}; save it as UTF-8 or GBK",
            ) from exc
        except csv.Error as exc:
            raise UnusableInput(
                f"文件 {name} 第 {reader.line_num} 行不是有效的 CSV：{exc}",
                f"{name} line {reader.line_num} is not valid CSV: {exc}",
            ) from exc

    lines = decoded(reader)
    header = _first_nonblank(lines)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        for cells in lines:
            number += 1
            yield number, cells

    return Table(header=header, rows=rows(), position=raw.tell, total=size or None, unit="B", kind="csv",
                 encoding=encoding, path=Path(raw.name) if hasattr(raw, "name") else None, delimiter=delimiter,
                 _closers=[text.close])


def _first_nonblank(lines: Iterator[list[Any]]) -> list[str]:
    for cells in lines:
        if any(str(c).strip() for c in cells):
            return [str(c) for c in cells]
    raise UnusableInput("文件没有表头行", "the file has no header row")


def check_zip(path: Path, name: str) -> None:
    """Refuse a zip whose directory declares too much data or too high a ratio (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(
            f"文件 {name} 不是有效的 xlsx 文件（压缩包已损坏）",
            f"{name} is not a valid xlsx file (the zip archive is damaged)",
        ) from exc
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        # A workbook never repeats a part; which copy a reader takes is undefined.
        raise UnusableInput(
            f"文件 {name} 不是有效的 xlsx 文件（压缩包内有重名的部分）",
            f"{name} is not a valid xlsx file (the zip archive repeats a member name)",
        )
    total = sum(i.file_size for i in infos)
    # By the ratio alone: two members with one ratio must not fall back to comparing ZipInfos.
    worst = max(((i.file_size / max(i.compress_size, 1), i) for i in infos), key=lambda pair: pair[0],
                default=(0, None))
    bomb = total > MAX_XLSX_UNCOMPRESSED or any(
        i.file_size > RATIO_CHECK_ABOVE and i.file_size / max(i.compress_size, 1) > MAX_XLSX_RATIO for i in infos
    )
    if bomb:
        raise UnusableInput(
            f"文件 {name} 解压后过大（声明 {total // 1024**2} MB，压缩比 {worst[0]:.0f}:1），疑似压缩炸弹，已拒绝",
            f"{name} would unpack to too much data ({total // 1024**2} MB declared, ratio "
            f"{worst[0]:.0f}:1): refused as a likely zip bomb",
        )


def _open_xlsx(path: Path, name: str) -> Table:
    import openpyxl

    check_zip(path, name)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
    except Exception as exc:
        raise UnusableInput(
            f"文件 {name} 是压缩包但不是有效的 xlsx 工作簿，请在 Excel 中另存为 xlsx",
            f"{name} is a zip archive but not a valid xlsx workbook; save it again as xlsx in Excel",
        ) from exc
    state = {"row": 0}
    try:
        total = ws.max_row
    except Exception:  # noqa: BLE001  (a damaged dimension record: only the progress bar needs it)
        total = None

    def cells() -> Iterator[list[Any]]:
        try:
            for values in ws.iter_rows(values_only=True):
                state["row"] += 1
                yield [cell_text(v) for v in values]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnusableInput(
                f"文件 {name} 第 {state['row'] + 1} 行无法读取（工作簿损坏）",
                f"{name} row {state['row'] + 1} cannot be read (damaged workbook)",
            ) from exc

    lines = cells()
    try:
        header = _first_nonblank(lines)
    except BaseException:
        wb.close()
        raise

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for values in lines:
            yield state["row"], values

    return Table(header=header, rows=rows(), position=lambda: state["row"], total=total, unit="行",
                 kind="xlsx", _closers=[wb.close])
