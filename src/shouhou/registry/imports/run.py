"""``run_import(kind, path, …)``: the one entry point of an import, for the CLI and the worker.

A file is read as a stream (``read``), headers in Chinese or English are mapped to columns
(``rows``), and each row is validated; rejected rows are reported with row number, column and
reason in Chinese and English. Upsert is by key (serial for units, code otherwise). Cells left
empty keep what the database already has, so a file may carry only what it knows. With
``all_or_nothing`` nothing is written when any row is bad; ``dry_run`` validates and writes nothing.
Models and dealers (``small``) are hundreds of rows; units (``units``) may be millions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shouhou.registry.imports.read import UnusableInput, open_table
from shouhou.registry.imports.rows import KINDS, ImportResult, Progress, map_headers
from shouhou.registry.imports.small import import_small
from shouhou.registry.imports.units import import_units


def run_import(
    kind: str,
    path: str | Path,
    *,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    actor: Any = None,
    file_name: str | None = None,
    progress: Progress | None = None,
    job_id: int | None = None,
    bulk: bool = False,
) -> ImportResult:
    """Import a models, dealers or units file. Raises UnusableInput when the file as a whole
    cannot be used (nothing written); rejected rows are in the result (exit code 1)."""
    if kind not in KINDS:
        raise UnusableInput(f"未知的导入类型 {kind}（可选：{'、'.join(KINDS)}）",
                            f"unknown import kind {kind} (one of: {', '.join(KINDS)})")
    name = file_name or Path(path).name
    table = open_table(path, name=name)
    try:
        columns = map_headers(kind, table.header)
        result = ImportResult(kind=kind, file_name=name, dry_run=dry_run, all_or_nothing=all_or_nothing)
        if kind == "units":
            import_units(table, columns, result, actor=actor, progress=progress, job_id=job_id, bulk=bulk)
        else:
            import_small(kind, table, columns, result, actor=actor, progress=progress, job_id=job_id)
    finally:
        table.close()
    return result
