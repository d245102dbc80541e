"""`shouhou serve` as a real process: data survives restarts and a SIGKILL mid-request."""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _cli(server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shouhou", *args], env=server.env, capture_output=True,
                          text=True, timeout=60)


def test_second_start_keeps_data_and_prints_no_new_password(server_factory, tmp_path):
    server = server_factory(fresh=True)  # the very first start prints the password
    server.start()
    first_password = server.admin_password
    assert first_password
    assert _cli(server, "user", "create", "li.na", "--role", "manager").returncode == 0
    assert server.stop() == 0

    again = server_factory(data_dir=server.data_dir)
    again.start()
    assert again.admin_password is None, "the admin is created once"
    listing = _cli(again, "manage", "shell", "-c",
                   "from shouhou.core.models import User; "
                   "print(sorted(User.objects.values_list('username', flat=True)))")
    assert "'admin'" in listing.stdout and "'li.na'" in listing.stdout


def test_sigkill_during_requests_loses_nothing_committed(server_factory):
    server = server_factory()
    server.start()
    stop = threading.Event()
    statuses: list[int] = []

    def hammer() -> None:
        while not stop.is_set():
            statuses.append(_get(server.url + "/api/v1/docs"))

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    created = []
    for i in range(6):
        if _cli(server, "user", "create", f"u{i}", "--role", "customer_service").returncode == 0:
            created.append(f"u{i}")
    time.sleep(0.5)
    server.kill()  # web workers and task worker die with requests in flight
    stop.set()
    for t in threads:
        t.join()
    assert 200 in statuses

    restarted = server_factory(data_dir=server.data_dir)
    restarted.start()
    out = _cli(restarted, "manage", "shell", "-c",
               "import json; from shouhou.core.models import User, AuditEvent; "
               "print(json.dumps([sorted(User.objects.values_list('username', flat=True)), "
               "AuditEvent.objects.filter(verb='user.created').count()]))")
    usernames, audited = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(created) <= set(usernames)
    assert len(created) == 6
    assert audited == len(usernames)  # every committed user has its audit row, and no more
    assert _get(restarted.url + "/healthz") == 200


@pytest.mark.database_independent
@pytest.mark.parametrize("value", ["1", "true"])
def test_web_refuses_debug(tmp_path, value):
    env = {"SHOUHOU_DATA_DIR": str(tmp_path), "DEBUG": value, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "shouhou", "web", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "DEBUG" in done.stderr


@pytest.mark.database_independent
def test_web_refuses_an_insecure_secret_key(tmp_path):
    env = {"SHOUHOU_DATA_DIR": str(tmp_path), "SECRET_KEY": "django-insecure-abc", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "shouhou", "web", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_serve_queues_the_deadline_sweep_for_its_worker(server_factory):
    server = server_factory()
    server.start()
    probe = ("from django_tasks_db.models import DBTaskResult; "
             "print(list(DBTaskResult.objects.filter(task_path__endswith='deadlines_sweep')"
             ".values_list('status', flat=True)))")
    deadline = time.monotonic() + 30
    statuses = ""
    while time.monotonic() < deadline:
        statuses = _cli(server, "manage", "shell", "-c", probe).stdout.strip().splitlines()[-1]
        if "SUCCESSFUL" in statuses:
            break
        time.sleep(1)
    assert statuses == "['SUCCESSFUL']", statuses  # queued once at start, run once by the worker


def test_periodic_work_runs_at_start_and_then_once_per_interval(db):
    from shouhou.core.bootstrap import Periodic
    from shouhou.core.commands import _run_due

    calls: list[str] = []
    jobs = [Periodic("fast", 10, lambda: calls.append("fast")), Periodic("slow", 60, lambda: calls.append("slow"))]
    last: dict[str, float] = {}
    for now in (0, 5, 10, 15, 20, 59, 60):
        _run_due(jobs, last, float(now))
    assert calls == ["fast", "slow", "fast", "fast", "fast", "slow"]


def test_a_failing_periodic_job_does_not_stop_the_others(db):
    from shouhou.core.bootstrap import Periodic
    from shouhou.core.commands import _run_due

    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("queue unavailable")

    _run_due([Periodic("broken", 10, broken), Periodic("ok", 10, lambda: calls.append("ok"))], {}, 0.0)
    assert calls == ["ok"]
