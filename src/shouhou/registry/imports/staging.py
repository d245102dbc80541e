"""Stage: the units file's rows, parsed, in a temporary table, with the row errors beside it.

Per row, Python normalizes the serial, parses dates (cached: a file has a few thousand distinct
dates), and looks models, dealers and regions up in dicts. Rows go in batches into a TEMP staging
table (COPY on PostgreSQL, executemany on SQLite) outside any transaction, so a web job's progress
is visible while it reads. ``units_copy`` fills the same two tables from a clean CSV on PostgreSQL
without Python touching a row; everything after (``check``, ``write``) reads only these tables.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DatabaseError, connection, transaction

from shouhou.domain.parsing import normalize_serial, parse_date
from shouhou.registry.imports.read import Table
from shouhou.registry.imports.rows import ImportResult, Progress, iter_cells, region_code
from shouhou.registry.models import Dealer, ProductModel, serial_validator

BATCH = 20_000
SERIAL_RE = re.compile(serial_validator.regex)
STG_COLUMNS = ("rownum", "serial", "model_id", "shipped_on", "sold_on", "dealer_id", "region_code", "customer",
               "replaces", "bad")
ERR_COLUMNS = ("rownum", "keyval", "col", "code", "value", "extra")


def _code_lookup(pairs: Iterator[tuple[str, int]]) -> dict[str, int]:
    """Codes match exactly, else case-insensitively (people type 'ab-1' for 'AB-1')."""
    exact = dict(pairs)
    folded = {code.upper(): pk for code, pk in exact.items()}
    return {**folded, **exact}


class Staging:
    """Two temp tables for one run: the parsed rows and the row errors."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        suffix = uuid.uuid4().hex[:10]
        self.stg = f"imp_stg_{suffix}"
        self.err = f"imp_err_{suffix}"
        self.extra: list[str] = []  # the fast path's raw and lookup tables

    def create(self) -> None:
        date_type = "DATE" if self.pg else "TEXT"
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE {self.stg} (rownum INTEGER NOT NULL, serial VARCHAR(64) NOT NULL, "
                f"model_id BIGINT, shipped_on {date_type}, sold_on {date_type}, dealer_id BIGINT, "
                "region_code VARCHAR(6), customer VARCHAR(200), replaces VARCHAR(64), bad SMALLINT NOT NULL)"
            )
            cur.execute(
                f"CREATE TEMP TABLE {self.err} (rownum INTEGER NOT NULL, keyval TEXT, col TEXT, code TEXT, "
                "value TEXT, extra TEXT)"
            )

    def _load(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.pg:
            connection.ensure_connection()
            with connection.connection.cursor() as cur, cur.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def add(self, rows: list[tuple[Any, ...]], errors: list[tuple[Any, ...]]) -> None:
        self._load(self.stg, STG_COLUMNS, rows)
        self._load(self.err, ERR_COLUMNS, errors)

    def drop(self) -> None:
        # Temp tables die with the connection anyway; a failed drop (the connection is gone or its
        # transaction aborted) must not hide the error that brought us here.
        with contextlib.suppress(DatabaseError), connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.stg}")
            cur.execute(f"DROP TABLE IF EXISTS {self.err}")
            for table in self.extra:
                cur.execute(f"DROP TABLE IF EXISTS {table}")


def tune(cur: Any, s: Staging) -> None:
    """Settings for this transaction only. An import lost to a server crash is simply run again,
    so its commit need not wait for the WAL flush; the set-based steps sort and hash in memory."""
    if s.pg:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")


Lookup = Callable[[str], tuple[Any, str]]


def lookups() -> dict[str, Lookup]:
    """Cell text -> (id or region code or None, the text as reported); one rule for both paths."""
    models = _code_lookup(ProductModel.objects.values_list("code", "pk").iterator())
    dealers = _code_lookup(Dealer.objects.values_list("code", "pk").iterator())
    regions: dict[str, str | None] = {}

    def model(text: str) -> tuple[Any, str]:
        code = text.strip()
        return (models.get(code) or models.get(code.upper())) if code else None, code[:100]

    def dealer(text: str) -> tuple[Any, str]:
        code = text.strip()
        return (dealers.get(code) or dealers.get(code.upper())) if code else None, code[:100]

    def region(text: str) -> tuple[Any, str]:
        name = text.strip()
        if not name:
            return None, ""
        try:
            found = regions[name]
        except KeyError:
            found = regions[name] = region_code(name)
        return found, name[:100]

    return {"model": model, "dealer": dealer, "region": region}


def stage_rows(table: Table, columns: dict[str, int], result: ImportResult, staging: Staging,
               progress: Progress | None, lookups: dict[str, Lookup]) -> None:
    """Parse every row into the staging table; rows without a usable serial only get an error."""
    model_of, dealer_of, region_of = lookups["model"], lookups["dealer"], lookups["region"]
    dates: dict[Any, str | None] = {}
    width = len(table.header)
    i_serial, i_model = columns["serial"], columns["model"]
    i_ship, i_sold, i_dealer, i_region, i_customer, i_replaces = (
        columns.get(c, width) for c in ("shipped_on", "sold_on", "dealer", "region", "customer", "replaces")
    )
    width += 1  # an always-empty cell stands for every absent column
    rows: list[tuple[Any, ...]] = []
    errs: list[tuple[Any, ...]] = []
    extra_rows: set[int] = set()
    count = 0
    match_serial = SERIAL_RE.match

    def date_of(value: Any, number: int, serial: str, col: str) -> tuple[str | None, bool]:
        try:
            return dates[value], True
        except KeyError:
            pass
        try:
            iso = parse_date(value)
        except ValueError:
            errs.append((number, serial, col, "date_format", str(value)[:100], ""))
            return None, False
        if len(dates) < 100_000:
            dates[value] = iso
        return iso, True

    for number, cells in iter_cells(table, width - 1, extra_rows.add):
        cells.append("")
        raw_serial = cells[i_serial]
        serial = normalize_serial(raw_serial) if raw_serial else ""
        if not serial:
            if not any(str(c).strip() for c in cells):
                continue  # a blank line
            count += 1
            errs.append((number, "", "serial", "required", "", ""))
            continue
        count += 1
        if not match_serial(serial):
            errs.append((number, serial[:64], "serial", "serial_format", serial[:100], ""))
            continue
        bad = 0
        if number in extra_rows:
            errs.append((number, serial, "serial", "extra_cells", "", ""))
            bad = 1
        model_id, code = model_of(cells[i_model])
        if model_id is None:
            errs.append((number, serial, "model", "model_unknown" if code else "required", code, ""))
            bad = 1
        shipped = cells[i_ship]
        if shipped:
            shipped, ok = date_of(shipped, number, serial, "shipped_on")
            bad |= not ok
        else:
            shipped = None
        sold = cells[i_sold]
        if sold:
            sold, ok = date_of(sold, number, serial, "sold_on")
            bad |= not ok
        else:
            sold = None
        if sold and shipped and sold < shipped:
            errs.append((number, serial, "sold_on", "sold_before_shipped", sold, shipped))
            bad = 1
        dealer_id, code = dealer_of(cells[i_dealer]) if cells[i_dealer] else (None, "")
        if code and dealer_id is None:
            errs.append((number, serial, "dealer", "dealer_unknown", code, ""))
            bad = 1
        region_code, name = region_of(cells[i_region]) if cells[i_region] else (None, "")
        if name and region_code is None:
            errs.append((number, serial, "region", "region_unknown", name, ""))
            bad = 1
        customer = cells[i_customer].strip() or None
        if customer and len(customer) > 200:
            errs.append((number, serial, "customer", "too_long", "", "200"))
            customer, bad = customer[:200], 1
        replaces = cells[i_replaces]
        if replaces:
            replaces = normalize_serial(replaces)
            if replaces == serial:
                errs.append((number, serial, "replaces", "replaces_self", replaces, ""))
                bad, replaces = 1, None
            elif not match_serial(replaces):
                errs.append((number, serial, "replaces", "replaces_unknown", replaces[:100], ""))
                bad, replaces = 1, None
        else:
            replaces = None
        rows.append((number, serial, model_id, shipped, sold, dealer_id, region_code, customer, replaces, bad))
        if len(rows) >= BATCH:
            staging.add(rows, errs)
            rows, errs = [], []
            if progress:
                progress("read", table.position(), table.total, table.unit, count)
    staging.add(rows, errs)
    result.rows = count
    if progress:
        progress("read", table.total or table.position(), table.total, table.unit, count)
