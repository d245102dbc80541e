"""Helpers for the import and export tests: write CSV/xlsx files, run the `shouhou import` CLI."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MODELS = [
    ["code", "name", "replacement_days", "warranty_months", "discontinued_on"],
    ["AB-1", "路由器 AB-1", "15", "12", ""],
    ["CD-2", "交换机 CD-2", "30", "24", "2026-01-01"],
]
DEALERS = [
    ["代码", "名称", "电话", "邮箱", "服务地区"],
    ["GX-A01", "南宁甲电脑", "0771-1000001", "a@dealer-a.cn", "广西;450100"],
    ["GD-B02", "广州乙网维", "020-2000002", "b@dealer-b.cn", "广东、广州市"],
]
UNIT_HEADER = ["serial", "model", "shipped_on", "sold_on", "dealer", "region", "customer", "replaces"]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    from shouhou.core.cli import main

    capsys.readouterr()
    code = main(["import", *args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def load_reference(tmp_path: Path, capsys: Any) -> None:
    """Models AB-1 / CD-2 and dealers GX-A01 / GD-B02, through the CLI."""
    assert cli(capsys, "models", str(write_csv(tmp_path / "models.csv", MODELS)))[0] == 0
    assert cli(capsys, "dealers", str(write_csv(tmp_path / "dealers.csv", DEALERS)))[0] == 0
