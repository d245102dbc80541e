"""Bulk imports of product models, dealers and units from CSV or xlsx (DESIGN §6 `shouhou import`).

The package's modules import one way, each only from those listed before it (a test parses them
and fails on anything else, inside functions too):

    read        files → rows, by content (CSV UTF-8/GBK, xlsx, zip checks); UnusableInput
    rows        columns and headers, RowError, ImportResult, Progress, cell parsing
    staging     units: the staging tables, and the Python path that fills them
    units_copy  units: the PostgreSQL COPY path that fills the same tables
    check       units: set-based checks over the staging table
    write       units: the upsert and the audit row
    units       units: stage → check → write
    small       models and dealers (hundreds of rows: plain Python and the ORM)
    report      the error report as a formula-safe CSV
    run         run_import(kind, path, …): the entry point for the CLI and the worker
    jobs        uploads run by the worker (the task lives here)
"""

from __future__ import annotations

from shouhou.registry.imports.read import UnusableInput
from shouhou.registry.imports.rows import KINDS, ImportResult, RowError
from shouhou.registry.imports.run import run_import

__all__ = ["KINDS", "ImportResult", "RowError", "UnusableInput", "run_import"]
