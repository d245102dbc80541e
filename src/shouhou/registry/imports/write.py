"""Write: the checked units in one transaction, and the audit row of the run.

On PostgreSQL stored units are updated in place and new ones inserted with a plain INSERT (see
``_upsert_units``); SQLite takes one INSERT … ON CONFLICT. Missing customers are created under
the unit's dealer first, replacement links set after every row exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from shouhou.core.services import audit_record
from shouhou.registry.imports.rows import ImportResult
from shouhou.registry.imports.staging import Staging

MOVABLE = ("in_stock", "with_dealer", "in_service")  # statuses an import may recompute


def audit_import(result: ImportResult, *, actor: Any, job_id: int | None) -> None:
    """One audit row per import run that wrote something (never one per row)."""
    audit_record(
        None, "registry.import.completed", actor=actor, object_type="registry.import", object_id=job_id or "",
        data={"kind": result.kind, "file": result.file_name, "rows": result.rows, "created": result.created,
              "updated": result.updated, "rejected": result.rejected},
    )


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


# Foreign keys checked once per distinct key instead of once per row (PostgreSQL, opt-in with
# SHOUHOU_IMPORT_FK_CHECKS_ONCE). Every id the import writes comes from a join on existing rows, so
# the per-row checks (one query per row and foreign key, queued until commit: about half of a big
# import's time) can only fail if a referenced row is deleted before the import commits. The
# import locks each referenced model, dealer, customer and replaced unit FOR KEY SHARE instead
# (what each per-row check does, but once per row referenced), checks they are all there, and
# turns the per-row trigger checks off for its own transaction with
# `SET LOCAL session_replication_role = replica`. That needs a superuser or, on PostgreSQL 15+,
# `GRANT SET ON PARAMETER session_replication_role TO <role>`, and it turns off every trigger of the
# transaction, so it is off unless the operator asks for it. Without it, or when the database
# refuses the SET, or when the unit table has triggers of its own, the per-row checks run as usual.
def fk_checks_once_wanted() -> bool:
    return bool(settings.SHOUHOU_IMPORT_FK_CHECKS_ONCE)


def _fk_checks_once(cur: Any, s: Staging) -> bool:
    if not (s.pg and fk_checks_once_wanted()):
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


def write_units(cur: Any, s: Staging, bulk: bool) -> None:
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
