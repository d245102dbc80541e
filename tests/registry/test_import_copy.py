"""The PostgreSQL COPY fast path of the units import reports and writes exactly what the Python path does."""

from __future__ import annotations

import pytest
from django.db import connection

from shouhou.registry.imports import run_import, units, units_copy
from shouhou.registry.models import Unit

from .import_helpers import UNIT_HEADER, load_reference, write_csv

pytestmark = pytest.mark.django_db

ROWS = [
    ["SN-GOOD", "AB-1", "2024-01-02", "2024.01.05", "GX-A01", "南宁", " 星空网吧 ", ""],
    ["sn good 2", "ab-1", "2024/1/2", "", "gx-a01", "450100", "", "SN-GOOD"],
    ["SN-D", "AB-1", "", "", "", "", "", ""],
    ["SN-D", "CD-2", "", "", "", "", "", ""],
    ["SN-E", "AB-1", "2024-02-30", "", "", "", "", ""],
    ["SN-F", "AB-1", "01/02/2024", "2024-13-01", "", "", "", ""],
    ["SN-F2", "AB-1", "2024-01-01 00:00:00", " ", "", "", "", ""],
    ["SN-G", "AB-1", "2024-02-01", "2024-01-31", "", "", "", ""],
    ["SN-H", "AB-1", "", "", "ZZ-9", "", "", ""],
    ["SN-I", "AB-1", "", "", "", "", "", "sn-i"],
    ["SN-J", "AB-1", "", "", "", "", "", "NOPE-1"],
    ["SN-J2", "AB-1", "", "", "", "", "", "N#1"],
    ["S#1", "AB-9", "", "", "", "", "", ""],
    ["SN-K", "AB-1", "", "", "", "火星", "", ""],
    ["", "AB-1", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", ""],
    ["\u3000", " ", "", "", "", "", "", ""],
    ["SN-L", "", "", "", "", "", "", ""],
    ["SN-M", "XX-1", "", "", "", "", "", ""],
    ["SN-N", "AB-1", "", "", "", "", "客" * 201, ""],
    ["SN-O", "AB-9", "2024-99-99", "", "ZZ-1", "火星", "", "SN-O"],
    ["SN-P", "AB-1", "", "", "", "", "", "SN-Q"],
    ["SN-Q", "AB-1", "", "", "", "", "", "SN-P"],
    # Serials and customers on the cheap path (already clean) and on the normalizing one.
    ["-SN1", "AB-1", "", "", "", "", "", ""],
    ["SN\tTAB", "AB-1", "", "", "", "", "", ""],
    ["sn-lower", "AB-1", "", "", "", "", "", ""],
    ["A" * 65, "AB-1", "", "", "", "", "", ""],
    ["SN-R", "AB-1", "", "", "", "", "\u3000客户\u3000", "  "],
    ["SN-S", "AB-1", "", "", "", "", " ", ""],
    ["SN-T", "AB-1", "", "", "", "", "客" * 200 + " ", ""],
    ["SN-V", "AB-1", "2024-01-02", "", "", "", "客户V", ""],
    ["SN-W", "AB-1", "2024-01-02", "", "", "", "", " sn-v"],
    ["SN-X", "AB-1", "", "", "", "", "", "-SN"],
]


def need_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the COPY fast path is PostgreSQL only")


def report(path, monkeypatch, *, fast, **options):
    """Run the import through one path only; fail if the other one is taken."""
    with monkeypatch.context() as m:
        if fast:
            m.setattr(units, "stage_rows", lambda *a, **k: pytest.fail("fell back to the Python path"))
        else:
            m.setattr(units_copy, "usable", lambda table: False)
        result = run_import("units", path, **options)
    return (result.rows, result.created, result.updated, result.rejected, [e.as_dict() for e in result.errors],
            [str(e) for e in result.errors])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_the_copy_path_reports_the_same_rows_reasons_and_counts_as_the_python_path(tmp_path, capsys, monkeypatch,
                                                                                    encoding):
    need_postgresql()
    load_reference(tmp_path, capsys)
    path = write_csv(tmp_path / "units.csv", [UNIT_HEADER, *ROWS], encoding=encoding)
    fast = report(path, monkeypatch, fast=True, dry_run=True)
    slow = report(path, monkeypatch, fast=False, dry_run=True)
    assert fast == slow
    rows, created, _updated, rejected, errors, texts = fast
    assert (rows, created, rejected) == (len(ROWS) - 2, 8, len(ROWS) - 10)  # two blank rows are skipped
    codes = {(e["row"], e["column"], e["code"]) for e in errors}
    assert {(25, "serial", "serial_format"), (28, "serial", "serial_format"), (29, "replaces", "replaces_unknown"),
            (34, "replaces", "replaces_unknown")} <= codes  # -SN1, 65 characters, blank and "-SN" targets
    assert not {e["row"] for e in errors} & {26, 27, 30, 31, 32, 33}  # cleaned serials, trimmed customers
    assert {(4, "serial", "duplicate"), (5, "serial", "duplicate"), (6, "shipped_on", "date_format"),
            (7, "sold_on", "date_format"), (8, "sold_on", "date_format"), (14, "serial", "serial_format"),
            (20, "model", "model_unknown"), (9, "sold_on", "sold_before_shipped")} <= codes
    assert '第 6 行 序列号 "SN-E": 发货日期 "2024-02-30" 不是有效日期（YYYY-MM-DD、YYYY/MM/DD 或 YYYY.MM.DD）' in texts[
        [e["row"] for e in errors].index(6)]
    assert any('型号 "XX-1" 不存在 / row 20 serial: unknown model "XX-1"' in t for t in texts)
    assert any("序列号在文件中重复（与第 5 行）" in t for t in texts)


@pytest.mark.parametrize("fk_checks_once", [True, False])
def test_the_copy_path_writes_the_same_units_as_the_python_path(tmp_path, capsys, monkeypatch, settings,
                                                                 fk_checks_once):
    need_postgresql()
    settings.SHOUHOU_IMPORT_FK_CHECKS_ONCE = fk_checks_once
    load_reference(tmp_path, capsys)
    path = write_csv(tmp_path / "units.csv", [UNIT_HEADER, *ROWS])
    fields = ("serial", "product_model__code", "shipped_on", "sold_on", "dealer__code", "region_code",
              "customer__name", "replaces__serial", "status")
    slow = report(path, monkeypatch, fast=False)
    slow_units = list(Unit.objects.order_by("serial").values_list(*fields))
    Unit.objects.update(replaces=None)
    Unit.objects.all().delete()
    fast = report(path, monkeypatch, fast=True)
    assert fast == slow
    assert list(Unit.objects.order_by("serial").values_list(*fields)) == slow_units
    by_serial = {u[0]: u for u in slow_units}
    assert by_serial["SNGOOD2"][1] == "AB-1" and by_serial["SNGOOD2"][7] == "SN-GOOD"
    assert by_serial["SN-GOOD"][6] == "星空网吧" and by_serial["SN-V"][6] == "客户V"
    assert by_serial["SN-W"][7] == "SN-V" and by_serial["SN-V"][8] == "replaced"
    assert by_serial["SN-T"][6] == "客" * 200 and by_serial["SN-S"][6] is None
    assert {"SNTAB", "SN-LOWER"} <= by_serial.keys()
    with connection.cursor() as cur:  # the per-row checks are back on for whatever runs next
        cur.execute("SHOW session_replication_role")
        assert cur.fetchone()[0] == "origin"


def test_a_tab_separated_file_goes_the_copy_way(tmp_path, capsys, monkeypatch):
    need_postgresql()
    load_reference(tmp_path, capsys)
    path = tmp_path / "units.tsv"
    path.write_text("serial\tmodel\tshipped_on\nSN-T1\tAB-1\t2024-01-01\nSN-T2\tAB-9\t\n", encoding="utf-8")
    rows, created, _u, rejected, _e, texts = report(path, monkeypatch, fast=True)
    assert (rows, created, rejected) == (2, 1, 1)
    assert 'row 3 serial: unknown model "AB-9"' in texts[0]


@pytest.mark.parametrize(("tail", "written", "code"), [
    ("SN-X2,AB-1,,,,,,,EXTRA\n", False, "extra_cells"),  # more cells than the header
    ("SN-X2,AB-1\n", True, None),  # fewer
    ("\nSN-X2,AB-1,,,,,,\n", True, None),  # a blank line
    ("\\.\nSN-X2,AB-1,,,,,,\n", True, "serial_format"),  # COPY's end-of-data marker
])
def test_a_file_copy_cannot_read_like_csv_reader_falls_back_to_the_python_path(tmp_path, capsys, tail, written,
                                                                                code):
    need_postgresql()
    load_reference(tmp_path, capsys)
    path = tmp_path / "units.csv"
    path.write_text(",".join(UNIT_HEADER) + "\nSN-X1,AB-1,,,,,,\n" + tail, encoding="utf-8")
    result = run_import("units", path)
    assert Unit.objects.filter(serial="SN-X1").exists()
    assert Unit.objects.filter(serial="SN-X2").exists() == written
    assert [e.code for e in result.errors] == ([code] if code else [])
