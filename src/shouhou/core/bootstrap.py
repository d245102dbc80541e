"""What `shouhou serve` does before it starts serving: migrate, load the default policy pack,
make sure there is an administrator, and optionally load demo data.

Apps add their own steps (default calendar, policy numbers, demo records) to SETUP_STEPS and
DEMO_STEPS from their AppConfig.ready(), so this module never imports them.
"""

from __future__ import annotations

import fcntl
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.core.management import call_command
from django.db import connection, transaction

SetupStep = Callable[[], None]
DemoStep = Callable[[TextIO], None]

SETUP_STEPS: list[SetupStep] = []
DEMO_STEPS: list[DemoStep] = []


@dataclass(frozen=True)
class Periodic:
    """Work `shouhou serve` queues for its worker every `seconds` (production uses cron instead)."""

    name: str
    seconds: int
    enqueue: Callable[[], object]


PERIODIC: list[Periodic] = []


@contextmanager
def migrate_lock() -> Iterator[None]:
    """Two processes started together on a fresh data dir (`serve` and a first `shouhou import`,
    say) must not both create the tables: the second waits, then finds nothing left to do.
    SQLite only: one file on one machine; PostgreSQL is migrated by the operator."""
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name == ":memory:" or "mode=memory" in name:
        yield
        return
    path = Path(f"{name}.migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def migrate(out: TextIO) -> None:
    with migrate_lock():
        call_command("migrate", interactive=False, verbosity=0, stdout=out)


def load_policy_pack() -> None:
    for step in SETUP_STEPS:
        step()


def ensure_admin(out: TextIO) -> None:
    """Create the first administrator and print its password once; later starts print nothing secret."""
    from shouhou.core.models import User
    from shouhou.core.roles import Role
    from shouhou.core.services import user_create

    if User.objects.filter(is_superuser=True).exists():
        return
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user_create(username="admin", role=Role.ADMIN, password=password, name="系统管理员")
    out.write(f"首个管理员账号 / first admin login:  用户名 admin  密码 {password}\n")
    out.write("（密码只显示这一次，请登录后修改 / shown once: change it after signing in）\n")


def load_demo(out: TextIO) -> None:
    for step in DEMO_STEPS:
        step(out)


def prepare(out: TextIO, *, demo: bool = False) -> None:
    """Everything `shouhou serve` does before serving, in order; each step is a no-op when done."""
    migrate(out)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_policy_pack()
    ensure_admin(out)
    if demo:
        load_demo(out)
