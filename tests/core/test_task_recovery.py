"""A task whose worker died is queued again once, then marked failed, and the import job it ran
follows it; a live worker's task is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shouhou.core.task_recovery import tasks_recover
from shouhou.registry.imports.jobs import import_job_create
from shouhou.registry.models_import import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db
HOST = socket.gethostname()[:40]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def running_import(admin_user, django_capture_on_commit_callbacks):
    """An import job whose task a worker has claimed and started."""
    csv = "code,name,replacement_days,warranty_months\nSN-RC1,恢复测试,90,36\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(kind="models", upload=SimpleUploadedFile("m.csv", csv), all_or_nothing=False,
                                actor=admin_user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    return job, DBTaskResult.objects.get()


def test_a_dead_workers_task_is_queued_again_with_its_import_job(running_import):
    job, task = running_import
    task.claim(f"{HOST}:{_dead_pid()}:a1b2")
    [lost] = tasks_recover()
    assert lost.requeued
    task.refresh_from_db()
    assert task.status == "READY" and task.started_at is None
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.started_at is None


def test_a_task_whose_worker_died_twice_is_marked_failed_visibly(running_import):
    job, task = running_import
    task.claim(f"{HOST}:{_dead_pid()}:a1b2")
    tasks_recover()
    task.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    task.claim(f"{HOST}:{_dead_pid()}:c3d4")
    [lost] = tasks_recover()
    assert not lost.requeued
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "shouhou.core.task_recovery.WorkerLost"
    assert "attempt 2 of 2" in task.traceback
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "意外中止" in job.message


def test_a_live_workers_task_is_left_alone(running_import):
    _job, task = running_import
    task.claim(f"{HOST}:{os.getpid()}:a1b2")
    assert tasks_recover() == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_another_hosts_task_is_taken_as_lost_only_after_the_stale_time(running_import, settings):
    settings.TASK_STALE_HOURS = 6
    _job, task = running_import
    task.claim("worker-host-2:4242:a1b2")
    assert tasks_recover(now=timezone.now() + timedelta(hours=5)) == []
    [lost] = tasks_recover(now=timezone.now() + timedelta(hours=7))
    assert lost.requeued and lost.worker == "worker-host-2:4242:a1b2"
