"""Every `shouhou` command on a fresh data dir, as a newcomer runs it: a real child process.

On the embedded default (SQLite in SHOUHOU_DATA_DIR) the command migrates the data dir first,
as `serve` does, and then does its job. On PostgreSQL a schema that is behind stops the command
with the one line to run and exit 2 (75 for the MTA pipe), never a traceback.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import _template, free_port
from tests.workdays.conftest import CSV_2027

EML = Path(__file__).resolve().parent.parent / "mail" / "eml"

MODELS_CSV = "code,name,replacement_days,warranty_months\nSN-D200,无盘服务器 D200,30,36\n"
FAQ_MD = "# 客户机无盘启动蓝屏\n\n检查网卡驱动与镜像版本。\n"


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    exit: int = 0
    stdin: bytes = b""
    expect: str = ""  # in stdout or stderr
    files: dict[str, str] = field(default_factory=dict)


# One invocation per registered command (and each sub-command that reads or writes the database).
# `serve` has its own process tests (test_serve_process.py); `manage` hands everything to Django.
CASES = {
    "import": Case(("import", "models", "{models.csv}", "--no-progress"), files={"models.csv": MODELS_CSV},
                   expect="1 created"),
    "user": Case(("user", "create", "x", "--role", "admin"), expect="created user x"),
    "token create": Case(("token", "create", "nobody"), exit=2, expect="nobody"),
    "token revoke": Case(("token", "revoke", "abcdef"), exit=2, expect="0 active tokens"),
    "worker": Case(("worker", "--batch", "--quiet")),
    "calendar": Case(("calendar", "import", "{2027.csv}"), files={"2027.csv": CSV_2027}, expect="official years 2027"),
    "faq": Case(("faq", "import", "{faq.md}"), files={"faq.md": FAQ_MD}),
    "rma": Case(("rma", "sweep", "--json"), expect='"reminders": 0'),
    "notify send": Case(("notify", "send", "--json"), expect='"sent": 0'),
    "notify test": Case(("notify", "test", "it@example.cn"), expect="queued"),
    "mail ingest": Case(("mail", "ingest"), stdin=(EML / "03_utf8_plain.eml").read_bytes()),
    "mail fetch": Case(("mail", "fetch"), exit=78, expect="IMAP_URL"),
    # The output file exists (empty) beforehand: the archive replaces it, as on the second run.
    "cases": Case(("cases", "sweep", "--json"), expect='"reminders": 0'),
    "demo": Case(("demo", "generate", "--units", "40", "--orders", "4", "--cases", "4", "--until", "2026-11-30"),
                 expect="steps on time"),
    "backup": Case(("backup", "--output", "{backup.tar}"), files={"backup.tar": ""}, expect="wrote"),
}
NOT_HERE = {"serve", "manage", "web",  # web: test_web_serves_pages_on_a_fresh_data_dir
            "restore"}  # needs an empty target: tests/core/test_backup.py


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir)}
    env.pop("DEBUG", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _shouhou(*args: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=env, input=stdin, capture_output=True,
                          timeout=600)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def _tables(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "shouhou.sqlite3") as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_every_command_has_a_fresh_data_dir_case():
    from shouhou.core.cli import COMMANDS, build_parser

    build_parser()
    covered = {name.split()[0] for name in CASES} | NOT_HERE
    missing = sorted(set(COMMANDS) - covered)
    assert not missing, f"add a case to CASES in {__file__} for: {', '.join(missing)}"


def _args(case: Case, tmp_path: Path) -> list[str]:
    paths = {}
    for filename, text in case.files.items():
        (tmp_path / filename).write_text(text, encoding="utf-8")
        paths[filename] = str(tmp_path / filename)
    return [paths[arg[1:-1]] if arg.startswith("{") else arg for arg in case.args]


def _runs_and_sets_up(case: Case, args: list[str], data_dir: Path, *, applied: str = "") -> None:
    done = _shouhou(*args, env=_env(data_dir), stdin=case.stdin)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == case.exit, done.stdout + done.stderr
    assert case.expect in done.stdout + done.stderr
    assert "database set up" in done.stderr  # said once, on stderr: stdout stays the command's own
    assert applied in done.stderr
    assert {"core_user", "registry_unit", "workdays_calendarsettings", "shouhou_cache"} <= _tables(data_dir)
    # The default policy pack is loaded too, as `serve` does.
    with sqlite3.connect(data_dir / "shouhou.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM workdays_calendarsettings").fetchone() == (1,)

    again = _shouhou(*args, env=_env(data_dir), stdin=case.stdin)
    assert "database set up" not in again.stderr  # the second run finds nothing to migrate
    assert "Traceback" not in again.stderr, again.stderr


@pytest.mark.database_independent
def test_the_first_command_on_a_fresh_data_dir_sets_it_up(tmp_path):
    case = CASES["import"]  # a newcomer's first command: the product models
    _runs_and_sets_up(case, _args(case, tmp_path), tmp_path / "var")


@pytest.fixture(scope="module")
def behind(tmp_path_factory) -> Path:
    """A data dir as the previous release left it: prepared as `serve` does, then core's newest
    migration (a leaf: nothing depends on it) taken back, as when an upgrade brings one more.
    Every command goes through the same check (core.schema.ensure_schema, called by the CLI before
    the command runs), so one migration to apply shows it in each command as well as a fresh data
    dir would, for a second instead of the 15-25 s of migrating from nothing."""
    from shouhou.core import migrations

    data_dir = tmp_path_factory.mktemp("behind") / "var"
    shutil.copytree(_template("plain", "").data_dir, data_dir)
    names = sorted(path.stem for path in Path(migrations.__file__).parent.glob("0*.py"))
    done = _shouhou("manage", "migrate", "core", names[-2], "-v", "0", env=_env(data_dir))
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.mark.database_independent
@pytest.mark.parametrize("name", sorted(CASES))
def test_command_brings_a_data_dir_that_is_behind_up_to_date_first(name, tmp_path, behind):
    case = CASES[name]
    shutil.copytree(behind, tmp_path / "var")
    _runs_and_sets_up(case, _args(case, tmp_path), tmp_path / "var", applied="(1 migrations applied)")


@pytest.mark.database_independent
def test_two_first_commands_at_once_both_succeed(tmp_path):
    env = _env(tmp_path / "var")
    argv = [sys.executable, "-m", "shouhou", "user", "create"]
    procs = [subprocess.Popen([*argv, name, "--role", "manager"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for name in ("li.na", "wang.wei")]
    results = [(*p.communicate(timeout=600), p.returncode) for p in procs]
    for _out, err, code in results:
        assert code == 0 and "Traceback" not in err, err
    assert sum("database set up" in err for _, err, _ in results) == 1  # one migrated, the other waited


@pytest.mark.database_independent
def test_calendar_due_still_needs_no_database(tmp_path):
    data_dir = tmp_path / "var"
    done = _shouhou("calendar", "due", "2025-09-30", "3", env=_env(data_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2025-10-11 18:30 (周六)\n"
    assert not (data_dir / "shouhou.sqlite3").exists()


@pytest.mark.database_independent
def test_web_serves_pages_on_a_fresh_data_dir(tmp_path):
    port = free_port()
    env = _env(tmp_path / "var")
    proc = subprocess.Popen([sys.executable, "-m", "shouhou", "web", "--port", str(port), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        status = 0
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as resp:
                    status = resp.status
                    page = resp.read().decode()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        assert status == 200, proc.stdout.read() if proc.poll() is not None else "no answer"
        assert "/static/" in page  # static links resolve: the manifest was collected
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)


# --- PostgreSQL: never migrated behind the operator's back -----------------------------------
@pytest.fixture
def empty_postgres(server_database_url: str | None) -> str:
    if not server_database_url:
        pytest.skip("PostgreSQL: run with DATABASE_URL=postgresql://…")
    return server_database_url


@pytest.mark.parametrize(("args", "code"), [
    (("user", "create", "x", "--role", "admin"), 2),
    (("import", "models", "/nonexistent.csv"), 2),
    (("worker", "--batch"), 2),
    (("mail", "ingest"), 75),  # the MTA keeps the message and retries
])
def test_a_postgres_schema_behind_says_what_to_run(empty_postgres, tmp_path, args, code):
    done = _shouhou(*args, env=_env(tmp_path / "var", empty_postgres), stdin=(EML / "03_utf8_plain.eml").read_bytes())
    assert done.returncode == code
    assert "Traceback" not in done.stderr
    assert "    shouhou manage migrate\n" in done.stderr
    assert "migrations not applied" in done.stderr
    assert "postgres@" not in done.stderr and "password" not in done.stderr.lower()


def test_after_migrating_postgres_the_command_works(empty_postgres, tmp_path):
    env = _env(tmp_path / "var", empty_postgres)
    assert _shouhou("manage", "migrate", "-v", "0", env=env).returncode == 0
    done = _shouhou("user", "create", "x", "--role", "admin", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.database_independent
def test_an_unreachable_database_is_one_line_and_exit_2(tmp_path):
    url = f"postgresql://shouhou:secret@127.0.0.1:{free_port()}/shouhou"
    done = _shouhou("user", "create", "x", "--role", "admin", env=_env(tmp_path / "var", url))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot reach the database postgresql://127.0.0.1:" in done.stderr
    assert "secret" not in done.stderr


@pytest.mark.database_independent
def test_a_bad_setting_is_one_line_not_a_traceback(tmp_path):
    env = {**_env(tmp_path / "var"), "SHOUHOU_BASE_URL": "ftp://example.cn"}
    done = _shouhou("user", "create", "x", "--role", "admin", env=env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "SHOUHOU_BASE_URL" in done.stderr
