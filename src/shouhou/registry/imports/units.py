"""The units import: stage (in SQL for a clean CSV on PostgreSQL, ``units_copy``; else in Python,
``staging``), check in SQL (``check``), write in one transaction (``write``).

Units are the big case (a vendor has millions). The checks that need the whole file or the
database (duplicates, replacement links, sold-before-shipped against stored dates) run set-based
over the staging table; then, in one transaction, missing customers are created under the unit's
dealer, the units are written, replacement links set, and one audit row records the run.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from shouhou.registry.imports import units_copy
from shouhou.registry.imports.check import count, validate
from shouhou.registry.imports.read import Table
from shouhou.registry.imports.rows import ImportResult, Progress, no_data_rows
from shouhou.registry.imports.staging import Staging, lookups, stage_rows, tune
from shouhou.registry.imports.write import audit_import, write_units


def import_units(
    table: Table, columns: dict[str, int], result: ImportResult, *, actor: Any, progress: Progress | None,
    job_id: int | None, bulk: bool = False,
) -> None:
    """Stage, check and (unless a dry run, or all-or-nothing with rejections) write the units of
    TABLE into RESULT; raises UnusableInput when the file has no data rows."""
    staging = Staging()
    staging.create()
    cache_size = _sqlite_cache(None) if not staging.pg else None
    try:
        resolve = lookups()
        if not (units_copy.usable(table) and units_copy.stage(table, columns, staging, result, resolve, progress)):
            stage_rows(table, columns, result, staging, progress, resolve)
        if result.rows == 0:
            raise no_data_rows(result.file_name)
        if progress:
            progress("validate", 0, None, "", result.rows)
        with connection.cursor() as cur:
            with transaction.atomic():
                tune(cur, staging)
                validate(cur, staging)
                count(cur, staging, result)
            if not result.dry_run and not (result.all_or_nothing and result.rejected):
                if progress:
                    progress("write", 0, None, "", result.rows)
                with transaction.atomic():
                    tune(cur, staging)
                    write_units(cur, staging, bulk)
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
