"""Background tasks of the registry (django-tasks; run by `shouhou worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    """Run one uploaded import (an ImportJob) in the worker."""
    from shouhou.registry.imports_jobs import import_job_run

    import_job_run(job_id=job_id)
