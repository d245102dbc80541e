"""Check: the rules that need the whole file or the stored units, set-based in SQL over the staging table.

Serials repeated in the file (a hash aggregate on PostgreSQL; a unique index on the staging table
on SQLite, and GROUP BY only when that fails), sold-before-shipped against stored dates,
replacement links (unknown target, target taken, loops; repeated until no rejection cascades).
Each problem is a row in the error table; a rejected row is marked ``bad`` in the staging table.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from shouhou.registry.imports.rows import ERROR_CAP, ImportResult, RowError
from shouhou.registry.imports.staging import ERR_COLUMNS, Staging


def validate(cur: Any, s: Staging) -> None:
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
    mark_bad(cur, s)
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
        mark_bad(cur, s)
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
    mark_bad(cur, s)
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
        mark_bad(cur, s)


def mark_bad(cur: Any, s: Staging) -> None:
    cur.execute(f"UPDATE {s.stg} SET bad = 1 WHERE bad = 0 AND rownum IN (SELECT rownum FROM {s.err})")


def count(cur: Any, s: Staging, result: ImportResult) -> None:
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
