"""Tasks whose worker died mid-way.

django-tasks-db marks a task RUNNING when a worker claims it and only the same worker ever marks it
finished, so a worker killed with SIGKILL (or by the OOM killer, or a power cut) leaves its task
RUNNING for ever: it is neither run again nor shown as failed. `shouhou worker` therefore names
itself HOST:PID:NONCE and, when it starts, looks at every RUNNING task: one whose worker is gone
(on this host: no such process; elsewhere: running for longer than SHOUHOU_TASK_STALE_HOURS) is
queued again, or marked failed with `WorkerLost` once it has been tried MAX_ATTEMPTS times.

Tasks must be safe to run again (each one's own transaction, idempotent effects). An app whose
task leaves state of its own behind (an import job shown as running) registers a hook in
RECOVERY_HOOKS from its AppConfig.ready(), keyed by the task's path.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a task whose worker died twice is not tried a third time: it may be what kills it
RecoveryHook = Callable[..., None]  # hook(kwargs: dict, *, requeued: bool)
RECOVERY_HOOKS: dict[str, RecoveryHook] = {}


class WorkerLost(Exception):
    """The worker running the task stopped before finishing it."""


@dataclass(frozen=True)
class Recovered:
    task_id: str
    task_path: str
    worker: str
    requeued: bool  # False: marked failed


def worker_id() -> str:
    """HOST:PID:NONCE, under django-tasks-db's 64 characters; the nonce keeps reused pids apart."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _gone(worker: str, *, started_at: datetime | None, now: datetime, stale_after: timedelta) -> bool:
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname()[:40] and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False
    # Another host (or a worker id from elsewhere): only time says it is gone.
    return started_at is None or started_at < now - stale_after


def stale_after() -> timedelta:
    from django.conf import settings

    return timedelta(hours=settings.TASK_STALE_HOURS)


def tasks_recover(*, now: datetime | None = None) -> list[Recovered]:
    """Queue again (or mark failed) every RUNNING task whose worker is gone; returns what it did."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    limit = stale_after()
    done: list[Recovered] = []
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True).order_by("started_at")
        for task in running:
            worker = task.worker_ids[-1] if task.worker_ids else ""
            if not _gone(worker, started_at=task.started_at, now=now, stale_after=limit):
                continue
            requeued = len(task.worker_ids) < MAX_ATTEMPTS
            if requeued:
                task.status, task.started_at = TaskResultStatus.READY, None
                task.save(update_fields=["status", "started_at"])
            else:
                task.status, task.finished_at = TaskResultStatus.FAILED, now
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = (f"{WorkerLost.__qualname__}: worker {worker} stopped while running the task "
                                  f"(attempt {len(task.worker_ids)} of {MAX_ATTEMPTS}); not tried again\n")
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            hook = RECOVERY_HOOKS.get(task.task_path)
            if hook is not None:
                hook(dict(task.args_kwargs.get("kwargs", {})), requeued=requeued)
            logger.warning("task %s (%s) of lost worker %s %s", task.id, task.task_path, worker,
                           "queued again" if requeued else "marked failed")
            done.append(Recovered(str(task.id), task.task_path, worker, requeued))
    return done


def register(task_path: str, hook: RecoveryHook) -> None:
    RECOVERY_HOOKS[task_path] = hook
