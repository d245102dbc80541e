"""Web imports: create an ImportJob from an upload, run it in the worker (``import_job_task``),
report progress."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shouhou.registry.imports.read import UnusableInput, open_table
from shouhou.registry.imports.rows import ERROR_CAP, map_headers
from shouhou.registry.imports.run import run_import
from shouhou.registry.models_import import ImportJob, ImportStatus

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between progress writes


def import_job_create(*, kind: str, upload: UploadedFile, all_or_nothing: bool, actor: Any) -> ImportJob:
    """Store the upload, check it by content (format, zip bomb, headers) and queue the import.

    Raises UnusableInput (and keeps nothing) when the file cannot be imported at all.
    """
    name = upload.name or "import"
    job = ImportJob(kind=kind, file_name=name[:255], all_or_nothing=all_or_nothing, created_by=actor)
    job.file.save(name, upload, save=False)
    try:
        table = open_table(job.file.path, name=job.file_name)
        try:
            map_headers(kind, table.header)
        finally:
            table.close()
    except BaseException:  # unusable input, or anything else: no stored file without its job
        job.file.delete(save=False)
        raise
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: import_job_task.enqueue(job_id=job.pk))
    return job


@task()
def import_job_task(job_id: int) -> None:
    """Run one uploaded import (an ImportJob) in the worker."""
    import_job_run(job_id=job_id)


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job; the job records the outcome (rejections, unusable input, failures)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return job
    job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    last = [0.0]

    def progress(phase: str, done: int, total: int | None, unit: str, rows: int) -> None:
        now = time.monotonic()
        if phase == "read" and now - last[0] < PROGRESS_EVERY and (not total or done < total):
            return
        last[0] = now
        if phase == "read":
            percent = min(int(done * 90 / total), 90) if total else 0
        else:
            percent = 92 if phase == "validate" else 95
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, percent=percent, rows=rows)

    try:
        result = run_import(job.kind, job.file.path, all_or_nothing=job.all_or_nothing, actor=job.created_by,
                            file_name=job.file_name, progress=progress, job_id=job.pk)
    except UnusableInput as exc:
        job.status, job.message = ImportStatus.FAILED, str(exc)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = "导入时发生内部错误，未写入任何数据 / internal error during the import, nothing written"
        _finish(job)
        raise
    else:
        job.status = ImportStatus.DONE
        job.rows, job.created_count, job.updated_count = result.rows, result.created, result.updated
        job.rejected_count, job.written = result.rejected, result.written
        job.errors = [e.as_dict() for e in result.errors[:ERROR_CAP]]
        job.message = result.summary()
    _finish(job)
    return job


def import_job_recover(kwargs: dict[str, Any], *, requeued: bool) -> None:
    """The worker running the job's import stopped (core.task_recovery). Each write is a
    transaction and a second run updates what a first one wrote, so the job is queued again with
    its task; when the task is given up, the job shows as failed."""
    job_id = kwargs.get("job_id")
    if job_id is None:
        return
    running = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING)
    if requeued:
        running.update(status=ImportStatus.QUEUED, phase="", percent=0, started_at=None)
    else:
        running.update(status=ImportStatus.FAILED, percent=100, finished_at=timezone.now(),
                       message=_("导入进程意外中止，已放弃；请重新上传。"))


def _finish(job: ImportJob) -> None:
    job.finished_at, job.percent = timezone.now(), 100
    job.save(update_fields=["status", "rows", "created_count", "updated_count", "rejected_count", "written",
                            "errors", "message", "finished_at", "percent"])
