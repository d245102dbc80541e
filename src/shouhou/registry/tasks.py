"""Background tasks of the registry (django-tasks; run by `shouhou worker`).

The import task lives with the imports (``shouhou.registry.imports.jobs.import_job_task``); this
name stays for the tasks queued before it moved there, whose stored path is this one.
"""

from __future__ import annotations

from shouhou.registry.imports.jobs import import_job_task

run_import = import_job_task

__all__ = ["run_import"]
