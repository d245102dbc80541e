"""The PostgreSQL fast path of the units import: COPY the CSV as it is, parse and check in SQL.

For a well-formed CSV (UTF-8 or GBK/GB18030, header on the first line, every row as wide as the
header) on PostgreSQL, Python never touches a row. The file's bytes after the header line go
through one ``COPY … (FORMAT csv, ENCODING …)`` into a TEMP table of TEXT columns in the file's
order; an identity column numbered from 2 in COPY order is the row number the report shows (the
same as the Python path's: the header is row 1). What needs Python's exact rules but has few
distinct values (model and dealer codes, region names or codes, date texts) is read with one
grouping-sets query, decided in Python with the very functions the Python path uses, and loaded
into small lookup tables. One INSERT … SELECT then normalizes serials and customers, joins the
lookups, writes every row error into the error table and every usable row into the staging table
of ``imports_units`` — the same two tables the Python path fills, so everything after (duplicates,
replacement links, stored dates, the upsert) is shared and the report is the same.

Anything COPY refuses (a row with more or fewer cells than the header, a blank line, bytes not in
the file's encoding, a ``\\.`` line) rolls the COPY back and the caller falls back to the Python
path, which reports such rows (or the file) exactly as before.
"""

from __future__ import annotations

import contextlib
import csv
import io
import uuid
from datetime import date
from typing import Any

import psycopg
from django.db import connection, transaction

from shouhou.registry.imports import Progress, parse_date
from shouhou.registry.imports_read import Table

# What str.split() / str.strip() treat as whitespace: the SQL side must remove the same characters.
WHITESPACE = "".join(chr(c) for c in (
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
))
SERIAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.-"
CHUNK = 1024 * 1024
ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gb18030": "GB18030"}
LOOKUP_COLUMNS = ("model", "dealer", "region", "shipped_on", "sold_on")


class _NotForCopy(Exception):
    """The file is not one COPY reads the way csv.reader does: use the Python path."""


def usable(table: Table) -> bool:
    return (connection.vendor == "postgresql" and table.kind == "csv" and table.path is not None
            and table.encoding in ENCODINGS)


def stage(table: Table, columns: dict[str, int], staging: Any, result: Any, lookups: dict[str, Any],
          progress: Progress | None) -> bool:
    """Fill staging.stg / staging.err from the CSV with COPY and SQL; False: use the Python path."""
    raw = f"imp_raw_{uuid.uuid4().hex[:10]}"
    staging.extra.append(raw)
    width = len(table.header)
    cols = [f"c{i}" for i in range(width)]
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {raw} (rownum BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 2), "
                    + ", ".join(f"{c} TEXT" for c in cols) + ")")
    try:
        with transaction.atomic():
            _copy(table, raw, cols)
    except _NotForCopy:
        return False
    except psycopg.errors.DataError:  # ragged rows, blank lines, bad bytes: the Python path reports them
        return False
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(f"ANALYZE {raw}")
        maps = _load_lookups(cur, raw, columns, staging, lookups)
        _transform(cur, raw, width, columns, maps, staging)
        cur.execute(f"DROP TABLE {raw}")
        staging.extra.remove(raw)
        cur.execute(f"SELECT COUNT(*) FROM {staging.stg}")
        staged = cur.fetchone()[0]
        cur.execute(f"SELECT COUNT(*) FROM {staging.err} WHERE col = 'serial'")
        result.rows = staged + cur.fetchone()[0]  # a row is staged or rejected for its serial
    if progress:
        progress("read", table.total or 0, table.total, table.unit, result.rows)
    return True


def _copy(table: Table, raw: str, cols: list[str]) -> None:
    assert table.path is not None
    with table.path.open("rb") as fh:
        first = fh.readline()
        if table.encoding == "utf-8-sig":
            first = first.removeprefix(b"\xef\xbb\xbf")
        try:
            header = next(csv.reader(io.StringIO(first.decode(table.encoding)), delimiter=table.delimiter))
        except (UnicodeDecodeError, StopIteration, csv.Error):
            raise _NotForCopy from None
        if header != table.header:  # blank lines before it, or a header cell spanning lines
            raise _NotForCopy
        delimiter = "E'\\t'" if table.delimiter == "\t" else "','"
        sql = (f"COPY {raw} ({', '.join(cols)}) FROM STDIN "
               f"(FORMAT csv, DELIMITER {delimiter}, ENCODING '{ENCODINGS[table.encoding]}')")
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(sql) as copy:
            # No progress calls in here: a web job's progress is saved through this very
            # connection, which is busy until the COPY ends (it would wait forever).
            tail = b"\n"
            while chunk := fh.read(CHUNK):
                # A line "\." ends COPY's input early; such a file goes the Python way.
                if b"\\." in tail + chunk[:3] or b"\n\\." in chunk:
                    raise _NotForCopy
                tail = chunk[-3:]
                copy.write(chunk)


def _load_lookups(cur: Any, raw: str, columns: dict[str, int], staging: Any,
                  lookups: dict[str, Any]) -> dict[str, str]:
    """Distinct model, dealer, region and date texts, decided in Python, as small TEMP tables."""
    present = [c for c in LOOKUP_COLUMNS if c in columns]
    exprs = [f"c{columns[c]}" for c in present]
    cur.execute(
        f"SELECT {', '.join(f'GROUPING({e})' for e in exprs)}, {', '.join(exprs)} FROM {raw} "
        f"GROUP BY GROUPING SETS ({', '.join(f'({e})' for e in exprs)})"
    )
    distinct: dict[str, list[str]] = {c: [] for c in present}
    n = len(present)
    for row in cur.fetchall():
        for i, c in enumerate(present):
            if row[i] == 0 and row[n + i] is not None and row[n + i] != "":
                distinct[c].append(row[n + i])
    maps: dict[str, str] = {}
    for c in present:
        table = f"imp_map_{uuid.uuid4().hex[:10]}"
        staging.extra.append(table)
        maps[c] = table
        if c in ("shipped_on", "sold_on"):
            cur.execute(f"CREATE TEMP TABLE {table} (k TEXT PRIMARY KEY, d DATE)")
            rows = [(k, _date_or_none(k)) for k in distinct[c]]
            columns_sql = "k, d"
        else:
            cur.execute(f"CREATE TEMP TABLE {table} (k TEXT PRIMARY KEY, id TEXT, v TEXT)")
            rows = [(k, *lookups[c](k)) for k in distinct[c]]
            columns_sql = "k, id, v"
        if rows:
            with connection.connection.cursor() as raw_cur, raw_cur.copy(
                f"COPY {table} ({columns_sql}) FROM STDIN"
            ) as copy:
                for r in rows:
                    copy.write_row(r)
        cur.execute(f"ANALYZE {table}")
    return maps


def _date_or_none(text: str) -> date | None:
    try:
        iso = parse_date(text)
    except ValueError:
        return None
    return date.fromisoformat(iso) if iso else None


def _transform(cur: Any, raw: str, width: int, columns: dict[str, int], maps: dict[str, str], s: Any) -> None:
    """One statement: normalize, join the lookups, write errors and staged rows (as the Python path)."""
    from shouhou.registry.imports_units import ERR_COLUMNS, STG_COLUMNS

    def cell(name: str) -> str:
        return f"r.c{columns[name]}" if name in columns else "NULL::text"

    joins = []
    for name, table in maps.items():
        joins.append(f"LEFT JOIN {table} m_{name} ON m_{name}.k = {cell(name)}")

    def looked(name: str, field: str) -> str:
        return f"m_{name}.{field}" if name in maps else "NULL"

    blank = " AND ".join(f"btrim(COALESCE(n.c{i}, ''), %(ws)s) = ''" for i in range(width))
    p = {"ws": WHITESPACE}
    replaces = cell("replaces")
    n = (
        f"SELECT r.rownum::integer AS rownum, upper(translate(COALESCE({cell('serial')}, ''), %(ws)s, '')) AS serial, "
        f"{looked('model', 'id')}::bigint AS model_id, COALESCE({looked('model', 'v')}, '') AS model_v, "
        f"{cell('shipped_on')} AS ship_raw, {looked('shipped_on', 'd')}::date AS shipped, "
        f"{cell('sold_on')} AS sold_raw, {looked('sold_on', 'd')}::date AS sold, "
        f"{looked('dealer', 'id')}::bigint AS dealer_id, COALESCE({looked('dealer', 'v')}, '') AS dealer_v, "
        f"{looked('region', 'id')} AS region_code, COALESCE({looked('region', 'v')}, '') AS region_v, "
        f"btrim({cell('customer')}, %(ws)s) AS customer, "
        f"CASE WHEN {replaces} <> '' THEN upper(translate({replaces}, %(ws)s, '')) END AS replaces"
        + "".join(f", r.c{i}" for i in range(width)) + " "
        f"FROM {raw} r {' '.join(joins)} OFFSET 0"  # OFFSET 0: compute each row once, not per reference
    )
    # Flags: serial problems exclude the row (as `continue` does in Python); the others mark it bad.
    f = (
        f"SELECT n.*, {_serial_ok('n.serial')} AS serial_ok, "
        "n.model_id IS NULL AS e_model, "
        "COALESCE(n.ship_raw <> '' AND n.shipped IS NULL, false) AS e_ship, "
        "COALESCE(n.sold_raw <> '' AND n.sold IS NULL, false) AS e_sold, "
        "COALESCE(n.sold < n.shipped, false) AS e_order, "
        "n.dealer_v <> '' AND n.dealer_id IS NULL AS e_dealer, "
        "n.region_v <> '' AND n.region_code IS NULL AS e_region, "
        "COALESCE(length(n.customer) > 200, false) AS e_customer, "
        "COALESCE(n.replaces = n.serial, false) AS e_self, "
        f"COALESCE(n.replaces <> n.serial AND NOT {_serial_ok('n.replaces')}, false) AS e_replaces "
        f"FROM n WHERE n.serial <> '' OR NOT ({blank})"  # a blank line is skipped, as in Python
    )
    row_bad = "(e_model OR e_ship OR e_sold OR e_order OR e_dealer OR e_region OR e_customer OR e_self OR e_replaces)"
    errors = (
        "(VALUES "
        "(f.serial = '', '', 'serial', 'required', '', ''), "
        "(f.serial <> '' AND NOT f.serial_ok, left(f.serial, 64), 'serial', 'serial_format', left(f.serial, 100), ''),"
        "(f.serial_ok AND f.e_model, f.serial, 'model', CASE WHEN f.model_v = '' THEN 'required' "
        "ELSE 'model_unknown' END, f.model_v, ''), "
        "(f.serial_ok AND f.e_ship, f.serial, 'shipped_on', 'date_format', left(f.ship_raw, 100), ''), "
        "(f.serial_ok AND f.e_sold, f.serial, 'sold_on', 'date_format', left(f.sold_raw, 100), ''), "
        "(f.serial_ok AND f.e_order, f.serial, 'sold_on', 'sold_before_shipped', to_char(f.sold, 'YYYY-MM-DD'), "
        "to_char(f.shipped, 'YYYY-MM-DD')), "
        "(f.serial_ok AND f.e_dealer, f.serial, 'dealer', 'dealer_unknown', f.dealer_v, ''), "
        "(f.serial_ok AND f.e_region, f.serial, 'region', 'region_unknown', f.region_v, ''), "
        "(f.serial_ok AND f.e_customer, f.serial, 'customer', 'too_long', '', '200'), "
        "(f.serial_ok AND f.e_self, f.serial, 'replaces', 'replaces_self', f.replaces, ''), "
        "(f.serial_ok AND f.e_replaces, f.serial, 'replaces', 'replaces_unknown', left(f.replaces, 100), '')"
        ") AS x(hit, keyval, col, code, value, extra)"
    )
    cur.execute(
        f"WITH n AS ({n}), f AS MATERIALIZED ({f}), "
        f"e AS (INSERT INTO {s.err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT f.rownum, x.keyval, x.col, x.code, x.value, x.extra FROM f CROSS JOIN LATERAL {errors} "
        f"WHERE (NOT f.serial_ok OR {row_bad}) AND x.hit) "
        f"INSERT INTO {s.stg} ({', '.join(STG_COLUMNS)}) "
        "SELECT rownum, serial, model_id, shipped, sold, dealer_id, region_code, left(NULLIF(customer, ''), 200), "
        "CASE WHEN e_self OR e_replaces THEN NULL ELSE replaces END, "
        f"CASE WHEN {row_bad} THEN 1 ELSE 0 END FROM f WHERE serial_ok",
        p,
    )


def _serial_ok(expr: str) -> str:
    """SQL for serial_validator's ^[A-Z0-9][A-Z0-9_/.-]{2,63}$, without a regex (3× faster)."""
    return (f"(length({expr}) BETWEEN 3 AND 64 AND ltrim({expr}, '{SERIAL_CHARS}') = '' "
            f"AND left({expr}, 1) NOT IN ('_', '/', '.', '-'))")


def drop(tables: list[str]) -> None:
    with contextlib.suppress(Exception), connection.cursor() as cur:
        for t in tables:
            cur.execute(f"DROP TABLE IF EXISTS {t}")
