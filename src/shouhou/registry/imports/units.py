"""The units import: parse (in SQL for a clean CSV on PostgreSQL, see ``imports_units_copy``; else
in Python), stage in a temp table, validate and upsert in SQL.

Per row, Python normalizes the serial, parses dates (cached: a file has a few thousand distinct
dates), and looks models, dealers and regions up in dicts. Rows go in batches into a TEMP staging
table (COPY on PostgreSQL, executemany on SQLite) outside any transaction, so a web job's progress
is visible while it reads. Checks that need the whole file or the stored units run set-based in
SQL: serials repeated in the file (a unique index on the staging table, and GROUP BY only when
that fails), replacement links (unknown target, target taken, loops; repeated until no rejection
cascades), sold-before-shipped against stored dates. Then, in one transaction: missing customers
are created under the unit's dealer, one INSERT … ON CONFLICT (serial) DO UPDATE writes the
units, one UPDATE sets replacement links, and one audit row records the run.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from shouhou.domain.errors import NotFound
from shouhou.domain.regions import find_region
from shouhou.domain.regions import region as region_lookup
from shouhou.registry.imports import (
    ERROR_CAP,
    ImportResult,
    Progress,
    RowError,
    audit_import,
    iter_cells,
    no_data_rows,
    parse_date,
)
from shouhou.registry.imports_read import Table
from shouhou.registry.models import Dealer, ProductModel, serial_validator

BATCH = 20_000
SERIAL_RE = re.compile(serial_validator.regex.pattern)
MOVABLE = ("in_stock", "with_dealer", "in_service")  # statuses an import may recompute
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
        try:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {self.stg}")
                cur.execute(f"DROP TABLE IF EXISTS {self.err}")
                for table in self.extra:
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
        except Exception:
            pass


def import_units(
    table: Table, columns: dict[str, int], result: ImportResult, *, actor: Any, progress: Progress | None,
    job_id: int | None, bulk: bool = False,
) -> None:
    from shouhou.registry import imports_units_copy as fast

    staging = Staging()
    staging.create()
    cache_size = _sqlite_cache(None) if not staging.pg else None
    try:
        lookups = _lookups()
        if not (fast.usable(table) and fast.stage(table, columns, staging, result, lookups, progress)):
            _read(table, columns, result, staging, progress, lookups)
        if result.rows == 0:
            raise no_data_rows(result.file_name)
        if progress:
            progress("validate", 0, None, "", result.rows)
        with connection.cursor() as cur:
            with transaction.atomic():
                _tune(cur, staging)
                _validate(cur, staging)
                _count(cur, staging, result)
            if not result.dry_run and not (result.all_or_nothing and result.rejected):
                if progress:
                    progress("write", 0, None, "", result.rows)
                with transaction.atomic():
                    _tune(cur, staging)
                    _write(cur, staging, bulk)
                    audit_import(result, actor=actor, job_id=job_id)
                result.written = True
            elif not result.dry_run:
                result.created = result.updated = 0
    finally:
        staging.drop()
        if cache_size is not None:
            _sqlite_cache(cache_size)


def _sqlite_cache(restore: int | None) -> int | None:
    """SQLite: a 256 MB page cache while importing (the staging table and the unit indexes stay in
    memory instead of being re-read from the file), then the connection's own size again."""
    with connection.cursor() as cur:
        if restore is not None:
            cur.execute(f"PRAGMA cache_size = {int(restore)}")
            return None
        cur.execute("PRAGMA cache_size")
        previous = cur.fetchone()[0]
        cur.execute("PRAGMA cache_size = -262144")
        return previous


def _tune(cur: Any, s: Staging) -> None:
    """Settings for this transaction only. An import lost to a server crash is simply run again,
    so its commit need not wait for the WAL flush; the set-based steps sort and hash in memory."""
    if s.pg:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")


Lookup = Callable[[str], tuple[Any, str]]


def _lookups() -> dict[str, Lookup]:
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
            found = regions[name] = _region_code(name)
        return found, name[:100]

    return {"model": model, "dealer": dealer, "region": region}


def _read(table: Table, columns: dict[str, int], result: ImportResult, staging: Staging,
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
        serial = "".join(raw_serial.split()).upper() if raw_serial else ""
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
            replaces = "".join(replaces.split()).upper()
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


def _region_code(text: str) -> str | None:
    if text.isdigit():
        try:
            return region_lookup(text).code
        except NotFound:
            return None
    found = find_region(text)
    return found.code if found else None


def _validate(cur: Any, s: Staging) -> None:
    stg, err = s.stg, s.err
    # Serials repeated in the file: rejected all, each naming another row with the same serial.
    duplicates = (
        f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT t.rownum, t.serial, 'serial', 'duplicate', t.serial, "
        f"CAST(CASE WHEN t.rownum = d.first THEN d.last ELSE d.first END AS TEXT) "
        f"FROM {stg} t JOIN (SELECT serial, MIN(rownum) AS first, MAX(rownum) AS last FROM {stg} "
        f"GROUP BY serial HAVING COUNT(*) > 1) d ON d.serial = t.serial"
    )
    if s.pg:
        # One hash aggregate: a third of the time of building a unique index on the staging table,
        # which nothing after needs on PostgreSQL (its joins below hash).
        cur.execute(duplicates)
    else:
        # SQLite joins by nested loops: the index serves the replacement checks below too.
        try:
            with transaction.atomic():
                cur.execute(f"CREATE UNIQUE INDEX {stg}_serial ON {stg} (serial)")
        except IntegrityError:
            cur.execute(f"CREATE INDEX {stg}_serial ON {stg} (serial)")
            cur.execute(duplicates)
    if s.pg:
        cur.execute(f"ANALYZE {stg}")
    _mark_bad(cur, s)
    # Sold before shipped, when one of the dates comes from the stored unit.
    cur.execute(
        f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT t.rownum, t.serial, 'sold_on', 'sold_before_shipped', CAST(COALESCE(t.sold_on, u.sold_on) AS TEXT), "
        f"CAST(COALESCE(t.shipped_on, u.shipped_on) AS TEXT) "
        f"FROM {stg} t JOIN registry_unit u ON u.serial = t.serial "
        f"WHERE t.bad = 0 AND (t.sold_on IS NULL OR t.shipped_on IS NULL) "
        f"AND COALESCE(t.sold_on, u.sold_on) < COALESCE(t.shipped_on, u.shipped_on)"
    )
    if cur.rowcount:
        _mark_bad(cur, s)
    cur.execute(f"SELECT 1 FROM {stg} WHERE replaces IS NOT NULL LIMIT 1")
    if cur.fetchone() is None:
        return
    # Replacement links: a target taken twice in the file or already by another stored unit, loops.
    cur.execute(
        f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT t.rownum, t.serial, 'replaces', 'replaces_taken', t.replaces, "
        f"CAST(CASE WHEN t.rownum = d.first THEN d.last ELSE d.first END AS TEXT) "
        f"FROM {stg} t JOIN (SELECT replaces, MIN(rownum) AS first, MAX(rownum) AS last FROM {stg} "
        f"WHERE replaces IS NOT NULL AND bad = 0 GROUP BY replaces HAVING COUNT(*) > 1) d "
        f"ON d.replaces = t.replaces WHERE t.bad = 0"
    )
    cur.execute(
        f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT t.rownum, t.serial, 'replaces', 'replaces_taken', t.replaces, MIN(u.serial) "
        f"FROM {stg} t JOIN registry_unit r ON r.serial = t.replaces "
        f"JOIN registry_unit u ON u.replaces_id = r.id AND u.serial <> t.serial "
        f"WHERE t.bad = 0 GROUP BY t.rownum, t.serial, t.replaces"
    )
    cur.execute(
        f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
        f"SELECT t.rownum, t.serial, 'replaces', 'replaces_loop', t.replaces, '' FROM {stg} t "
        f"JOIN {stg} o ON o.serial = t.replaces AND o.replaces = t.serial AND o.bad = 0 WHERE t.bad = 0"
    )
    _mark_bad(cur, s)
    # Unknown targets; a rejected row can make its replacement's link unknown, so repeat.
    for _ in range(20):
        cur.execute(
            f"INSERT INTO {err} ({', '.join(ERR_COLUMNS)}) "
            f"SELECT t.rownum, t.serial, 'replaces', 'replaces_unknown', t.replaces, '' FROM {stg} t "
            f"WHERE t.bad = 0 AND t.replaces IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {stg} o WHERE o.serial = t.replaces AND o.bad = 0) "
            f"AND NOT EXISTS (SELECT 1 FROM registry_unit u WHERE u.serial = t.replaces)"
        )
        if not cur.rowcount:
            break
        _mark_bad(cur, s)


def _mark_bad(cur: Any, s: Staging) -> None:
    cur.execute(f"UPDATE {s.stg} SET bad = 1 WHERE bad = 0 AND rownum IN (SELECT rownum FROM {s.err})")


def _count(cur: Any, s: Staging, result: ImportResult) -> None:
    cur.execute(f"SELECT COUNT(DISTINCT rownum) FROM {s.err}")
    result.rejected = cur.fetchone()[0]
    cur.execute(f"SELECT COUNT(*) FROM {s.stg} WHERE bad = 0")
    good = cur.fetchone()[0]
    cur.execute(f"SELECT COUNT(*) FROM {s.stg} t JOIN registry_unit u ON u.serial = t.serial WHERE t.bad = 0")
    result.updated = cur.fetchone()[0]
    result.created = good - result.updated
    cur.execute(f"SELECT {', '.join(ERR_COLUMNS)} FROM {s.err} ORDER BY rownum, col LIMIT %s", [ERROR_CAP])
    result.errors = [
        RowError(row=r[0], key=r[1] or "", column=r[2], code=r[3], value=r[4] or "", extra=r[5] or "")
        for r in cur.fetchall()
    ]


# Bulk mode (opt-in: `shouhou import units --bulk`, PostgreSQL only): an import this large, and at
# least half the size of the table, rebuilds the unit table's plain indexes and re-validates its
# foreign keys once at the end (as pg_restore does) instead of maintaining them row by row. It
# holds an ACCESS EXCLUSIVE lock on the unit table until the import commits: nobody can even read
# units meanwhile (coverage lookups, the service centre's pages wait), so it is for initial loads
# and migrations during a maintenance window, never the default.
BULK_MIN_ROWS = 50_000


def _bulk_detach(cur: Any, good: int, foreign_keys: bool) -> list[str]:
    """Drop the unit table's plain indexes (and FOREIGN_KEYS); return the statements to restore them."""
    cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'registry_unit'::regclass")
    stored = max(cur.fetchone()[0], 0)
    if good < BULK_MIN_ROWS or good < stored / 2:
        return []
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_unit' "
        "AND schemaname = current_schema() AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'registry_unit'::regclass)"
    )
    indexes = cur.fetchall()
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'registry_unit'::regclass AND contype = 'f'"
    )
    keys = cur.fetchall() if foreign_keys else []
    cur.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
    for name, _definition in keys:
        cur.execute(f'ALTER TABLE registry_unit DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [d for _n, d in indexes] + [f'ALTER TABLE registry_unit ADD CONSTRAINT "{n}" {d}' for n, d in keys]


# Foreign keys checked once per distinct key instead of once per row (PostgreSQL). Every id the
# import writes comes from a join on existing rows, so the per-row checks (one query per row and
# foreign key, queued until commit: about half of a big import's time) can only fail if a
# referenced row is deleted before the import commits. The import locks each referenced model,
# dealer, customer and replaced unit FOR KEY SHARE instead (what each per-row check does, but
# once per row referenced), checks they are all there, and turns the per-row trigger checks off
# for its own transaction with `SET LOCAL session_replication_role = replica`. That needs a
# superuser or, on PostgreSQL 15+, `GRANT SET ON PARAMETER session_replication_role TO <role>`;
# without it (or when the unit table has triggers of its own) the per-row checks run as usual.
FK_CHECKS_ONCE = True


def _fk_checks_once(cur: Any, s: Staging) -> bool:
    if not (s.pg and FK_CHECKS_ONCE):
        return False
    cur.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = 'registry_unit'::regclass AND NOT tgisinternal LIMIT 1")
    if cur.fetchone() is not None:
        return False
    try:
        with transaction.atomic():
            cur.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _lock_referenced(cur: Any, s: Staging, after_insert: bool) -> bool:
    """Lock the rows the import's units will reference; False if one has gone meanwhile."""
    stg = s.stg
    if after_insert:
        cur.execute(f"SELECT DISTINCT replaces FROM {stg} WHERE bad = 0 AND replaces IS NOT NULL")
        checks = [("registry_unit", "serial", {r[0] for r in cur.fetchall()})]
    else:  # one pass over the staged rows for both
        cur.execute(f"SELECT model_id, dealer_id FROM {stg} WHERE bad = 0 "
                    "GROUP BY GROUPING SETS ((model_id), (dealer_id))")
        pairs = cur.fetchall()
        checks = [("registry_productmodel", "id", {m for m, _d in pairs if m is not None}),
                  ("registry_dealer", "id", {d for _m, d in pairs if d is not None})]
    for table, key, wanted in checks:
        cur.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {key} = ANY(%s) FOR KEY SHARE) k",
                    [list(wanted)])
        if cur.fetchone()[0] != len(wanted):
            return False
    if not after_insert:  # every customer the upsert may pick: all with the file's names
        cur.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM registry_customer WHERE name IN "
                    f"(SELECT customer FROM {stg} WHERE bad = 0 AND customer IS NOT NULL) FOR KEY SHARE) k")
    return True


def _write(cur: Any, s: Staging, bulk: bool) -> None:
    stg = s.stg
    once = _fk_checks_once(cur, s)
    if once and not _lock_referenced(cur, s, after_insert=False):
        cur.execute("SET LOCAL session_replication_role = origin")  # the usual checks report it
        once = False
    restore: list[str] = []
    if s.pg and bulk:
        cur.execute(f"SELECT COUNT(*) FROM {stg} WHERE bad = 0")
        # Foreign keys checked once per key stay; else they go and are validated once at the end.
        restore = _bulk_detach(cur, cur.fetchone()[0], foreign_keys=not once)
    _write_rows(cur, s, lambda: _lock_referenced(cur, s, after_insert=True) if once else True)
    if once:  # SET LOCAL would outlive us if the caller's transaction encloses ours (a failure rolls it back)
        cur.execute("SET LOCAL session_replication_role = origin")
    for statement in restore:
        cur.execute(statement)


def _status_sql(old: str, new: str) -> str:
    """The status a unit gets from its stored (OLD) and imported (NEW) values: an import moves it
    between in stock / with dealer / in service; other statuses belong to service work."""
    movable = ", ".join(f"'{m}'" for m in MOVABLE)
    return (f"CASE WHEN {old}.status IN ({movable}) THEN "
            f"CASE WHEN COALESCE({new}.sold_on, {old}.sold_on) IS NOT NULL THEN 'in_service' "
            f"WHEN COALESCE({new}.dealer_id, {old}.dealer_id) IS NOT NULL "
            f"OR COALESCE({new}.shipped_on, {old}.shipped_on) IS NOT NULL THEN 'with_dealer' "
            f"ELSE 'in_stock' END ELSE {old}.status END")


def _upsert_units(cur: Any, stg: str, customer_join: str, customer_id: str, now: Any) -> None:
    """On PostgreSQL, stored units are updated in place, new ones inserted with a plain INSERT: an INSERT … ON
    CONFLICT costs half as much again per row (a speculative insertion into the serial index
    before the real one; 33.7 s against 22.8 s for 1,000,000 new units). Should another
    transaction create one of the file's serials between the two statements, the unique index
    refuses the INSERT, and the upsert runs over the whole file instead (the same values again for
    the rows already written)."""
    # Rows go in serial order for locality in the indexes. Serials are ASCII (serial_validator), so
    # byte order is that order (under C.UTF-8, or close to it), and PostgreSQL sorts by bytes
    # several times faster than by a libc collation (abbreviated keys).
    by_bytes = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    set_sql = (
        "product_model_id = {n}.product_model_id, "
        "shipped_on = COALESCE({n}.shipped_on, {o}.shipped_on), "
        "sold_on = COALESCE({n}.sold_on, {o}.sold_on), "
        "dealer_id = COALESCE({n}.dealer_id, {o}.dealer_id), "
        "customer_id = COALESCE({n}.customer_id, {o}.customer_id), "
        "region_code = CASE WHEN {n}.region_code = '' THEN {o}.region_code ELSE {n}.region_code END, "
        "status = {status}, updated_at = %s"
    )
    # Straight from the staging table, not from a subquery as the UPDATE below: SQLite plans that worse.
    insert = (
        "INSERT INTO registry_unit (serial, product_model_id, manufactured_on, shipped_on, sold_on, dealer_id, "
        "customer_id, region_code, replacement_days, warranty_months, replaces_id, status, created_at, updated_at) "
        f"SELECT t.serial, t.model_id, NULL, t.shipped_on, t.sold_on, t.dealer_id, {customer_id}, "
        "COALESCE(t.region_code, ''), NULL, NULL, NULL, CASE WHEN t.sold_on IS NOT NULL THEN 'in_service' "
        "WHEN t.dealer_id IS NOT NULL OR t.shipped_on IS NOT NULL THEN 'with_dealer' ELSE 'in_stock' END, %s, %s "
        f"FROM {stg} t {customer_join} WHERE t.bad = 0 "  # a WHERE before ON CONFLICT: SQLite's parsing ambiguity
    )
    status = _status_sql("registry_unit", "excluded")
    upsert = (insert + f"ORDER BY t.serial{by_bytes} ON CONFLICT (serial) "
              f"DO UPDATE SET {set_sql.format(n='excluded', o='registry_unit', status=status)}")
    if connection.vendor != "postgresql":  # SQLite's upsert costs no more than its insert; one pass
        cur.execute(upsert, [now, now, now])
        return
    rows = (f"SELECT t.serial, t.model_id AS product_model_id, t.shipped_on, t.sold_on, t.dealer_id, "
            f"CAST({customer_id} AS BIGINT) AS customer_id, COALESCE(t.region_code, '') AS region_code "
            f"FROM {stg} t {customer_join} WHERE t.bad = 0")
    cur.execute(
        f"UPDATE registry_unit AS u SET {set_sql.format(n='t', o='u', status=_status_sql('u', 't'))} "
        f"FROM ({rows}) t WHERE u.serial = t.serial",
        [now],
    )
    try:
        with transaction.atomic():
            cur.execute(insert + "AND NOT EXISTS (SELECT 1 FROM registry_unit u WHERE u.serial = t.serial) "
                        f"ORDER BY t.serial{by_bytes}", [now, now])  # in index order: fewer pages touched
    except IntegrityError:
        cur.execute(upsert, [now, now, now])


def _write_rows(cur: Any, s: Staging, before_links: Callable[[], bool] = lambda: True) -> None:
    stg = s.stg
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cur.execute(f"SELECT 1 FROM {stg} WHERE customer IS NOT NULL AND bad = 0 LIMIT 1")
    customers = cur.fetchone() is not None
    if customers:
        # A customer without a dealer in the file belongs to the stored unit's dealer.
        cur.execute(
            f"UPDATE {stg} SET dealer_id = (SELECT u.dealer_id FROM registry_unit u WHERE u.serial = {stg}.serial) "
            f"WHERE bad = 0 AND customer IS NOT NULL AND dealer_id IS NULL"
        )
        cur.execute(
            # New customers have no phone yet, so their phone key is empty too.
            "INSERT INTO registry_customer (name, contact_name, phone, phone_key, region_code, dealer_id, created_at) "
            f"SELECT n.customer, '', '', '', '', n.dealer_id, %s FROM (SELECT DISTINCT customer, dealer_id FROM {stg} "
            f"WHERE bad = 0 AND customer IS NOT NULL) n WHERE NOT EXISTS (SELECT 1 FROM registry_customer c "
            f"WHERE c.name = n.customer AND COALESCE(c.dealer_id, 0) = COALESCE(n.dealer_id, 0))",
            [now],
        )
        customer_join = (
            f"LEFT JOIN (SELECT name, COALESCE(dealer_id, 0) AS d, MIN(id) AS id FROM registry_customer "
            f"WHERE name IN (SELECT customer FROM {stg} WHERE customer IS NOT NULL) "
            f"GROUP BY name, COALESCE(dealer_id, 0)) cm ON cm.name = t.customer AND cm.d = COALESCE(t.dealer_id, 0)"
        )
        customer_id = "cm.id"
    else:
        customer_join, customer_id = "", "NULL"
    _upsert_units(cur, stg, customer_join, customer_id, now)
    cur.execute(f"SELECT 1 FROM {stg} WHERE replaces IS NOT NULL AND bad = 0 LIMIT 1")
    if cur.fetchone() is None:
        return
    if not before_links():
        cur.execute("SET LOCAL session_replication_role = origin")
    # Links after all rows exist, so a file may list a replacement before the unit it replaces.
    movable = ", ".join(f"'{m}'" for m in MOVABLE)
    cur.execute(
        f"UPDATE registry_unit AS u SET replaces_id = r.id, updated_at = %s FROM {stg} AS t, registry_unit AS r "
        "WHERE u.serial = t.serial AND r.serial = t.replaces AND t.bad = 0 AND t.replaces IS NOT NULL",
        [now],
    )
    cur.execute(
        f"UPDATE registry_unit SET status = 'replaced', updated_at = %s WHERE status IN ({movable}) "
        f"AND serial IN (SELECT replaces FROM {stg} WHERE bad = 0 AND replaces IS NOT NULL)",
        [now],
    )
