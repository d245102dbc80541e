"""Shared fixtures: two dealers (Alice's and Bob's, as in healthchecks' tests), a user per role,
API clients with real tokens, and a real `shouhou serve` for browser and process tests.

Every test runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("SHOUHOU_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))


@pytest.fixture(autouse=True)
def _plain_static_storage(request: pytest.FixtureRequest) -> None:
    # Tests render templates without running collectstatic first. Domain tests run without
    # Django at all (`-p no:django`), so the settings fixture is only asked for when it exists.
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def dealer_a(db: None):
    from shouhou.registry.models import Dealer

    return Dealer.objects.create(code="GX-A01", name="南宁甲电脑", phone="0771-1000001", email="a@dealer-a.cn")


@pytest.fixture
def dealer_b(db: None):
    from shouhou.registry.models import Dealer

    return Dealer.objects.create(code="GD-B02", name="广州乙网维", phone="020-2000002", email="b@dealer-b.cn")


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    from shouhou.core.services import user_create

    def make(role: str, *, dealer: object | None = None, username: str | None = None) -> object:
        return user_create(
            username=username or f"{role}-{uuid.uuid4().hex[:6]}",
            role=role,
            password="Correct-Horse-42",
            dealer_code=getattr(dealer, "code", None),
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def service_center(make_user):
    return make_user("service_center")


@pytest.fixture
def alice(make_user, dealer_a):
    """A user of dealer A."""
    return make_user("dealer", dealer=dealer_a, username="alice")


@pytest.fixture
def bob(make_user, dealer_b):
    """A user of dealer B."""
    return make_user("dealer", dealer=dealer_b, username="bob")


def _client_for(user: object):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for() -> Callable[[object], object]:
    return _client_for


@pytest.fixture
def token_for(db: None) -> Callable[[object], str]:
    from shouhou.core.services import token_create

    def make(user: object) -> str:
        return token_create(username=user.username)[1]

    return make


# --- real processes -------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_database_url() -> Iterator[str | None]:
    """A database of its own for a `shouhou serve` under test: a fresh PostgreSQL database when
    the suite runs on PostgreSQL (dropped afterwards), else None (SQLite in the data dir)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"shouhou_proc_{uuid.uuid4().hex[:10]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """A `shouhou serve` child process with its own data dir, port and database."""

    def __init__(self, data_dir: Path, database_url: str | None, *, demo: bool = False, preamble: str = "") -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir), "SHOUHOU_BASE_URL": self.url}
        self.env.pop("DEBUG", None)
        # One web process (of four threads) serves a test's one browser; a test of several sets more.
        self.env.setdefault("SHOUHOU_WEB_WORKERS", "1")
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.demo = demo
        self.proc: subprocess.Popen[str] | None = None
        # What a first start would have printed when the data dir came from a prepared template
        # (the first admin's password among it); a start on a used data dir prints it no more.
        self.preamble = preamble
        self.output = preamble

    # Not a speed limit: migrating a fresh data dir takes over a minute on a busy 2-core machine;
    # the limit only stops a server that will never come up from hanging the run.
    def start(self, timeout: float = 600) -> str:
        args = [sys.executable, "-m", "shouhou", "serve", "--port", str(self.port)]
        if self.demo:
            args.append("--demo")
        self.proc = subprocess.Popen(args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        lines = []
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("serve exited:\n" + "".join(lines))
            lines.append(line)
            if "running at" in line:
                break
        self.output = self.preamble + "".join(lines)
        self._wait_healthy(deadline)
        return self.output

    def _wait_healthy(self, deadline: float) -> None:
        import urllib.request

        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not become healthy:\n" + self.output)

    @property
    def admin_password(self) -> str | None:
        match = re.search(r"用户名 admin\s+密码 (\S+)", self.output)
        return match.group(1) if match else None

    def stop(self) -> int | None:
        import signal

        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode if self.proc else None

    def kill(self) -> None:
        """SIGKILL the whole process group: web workers and task worker die mid-flight."""
        import signal

        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


class Sites:
    """Data dirs with their databases for processes under test, dropped at teardown.

    `prepare(data_dir, demo=…)` copies a data dir (and database) prepared once per run as `serve`
    would, so each test does not pay for migrating; `fresh=True` gives an empty data dir and
    database, for tests of the first start itself. Returns the DATABASE_URL (None on SQLite) and
    what the first start printed (the first admin's password among it)."""

    def __init__(self) -> None:
        self.pg_base = _postgres_base()
        self.made: list[str] = []

    def _database(self, template: str = "") -> str | None:
        if not self.pg_base:
            return None
        self.made.append(name := f"shouhou_proc_{uuid.uuid4().hex[:10]}")
        if template:
            with _template_lock():  # nobody may be connected to the template while it is copied
                _pg_execute(self.pg_base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            _pg_execute(self.pg_base, f'CREATE DATABASE "{name}"')
        return f"{self.pg_base}/{name}"

    def prepare(self, data_dir: Path, *, demo: bool = False, fresh: bool = False) -> tuple[str | None, str]:
        if fresh:
            return self._database(), ""
        template = _template("demo" if demo else "plain", self.pg_base)
        shutil.copytree(template.data_dir, data_dir, symlinks=True)
        return self._database(template.database), template.output

    def drop(self) -> None:
        for name in self.made:
            _pg_execute(self.pg_base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


@pytest.fixture
def sites() -> Iterator[Sites]:
    made = Sites()
    yield made
    made.drop()


@pytest.fixture
def server_factory(tmp_path: Path, sites: Sites) -> Iterator[Callable[..., Server]]:
    """`make(demo=…, fresh=…)`: a server on a prepared data dir (see Sites). Servers made with the
    same data dir share the database, as a restarted `serve` does."""
    servers: list[Server] = []
    databases: dict[Path, str | None] = {}

    def make(*, demo: bool = False, data_dir: Path | None = None, fresh: bool = False) -> Server:
        target = data_dir or tmp_path / "var"
        preamble = ""
        if target not in databases:
            databases[target], preamble = sites.prepare(target, demo=demo, fresh=fresh or target.exists())
        server = Server(target, databases[target], demo=demo, preamble=preamble)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.kill()


# --- templates: a data dir and database prepared once per test run ---------------------------
# Migrating a fresh database takes 15-25 s and loading the demo 10 s more on a busy 2-core machine;
# dozens of process and browser tests would each pay it. The first test of a run that needs a
# template prepares it (the same steps as `serve`, via bootstrap.prepare, without serving); every
# other one copies it: the data dir with shutil, the PostgreSQL database with CREATE DATABASE …
# TEMPLATE. The xdist workers share one set through a lock file; the controller drops it at the end.
RUN_ENV = "SHOUHOU_TEST_RUN"
TEMPLATE_PREFIX = "shouhou_tmpl_"


@dataclass(frozen=True)
class Template:
    data_dir: Path
    database: str  # PostgreSQL database name, "" on SQLite
    output: str


def _postgres_base() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith(("postgres://", "postgresql://")) else ""


def _pg_execute(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _template_root() -> Path:
    return Path(tempfile.gettempdir()) / f"shouhou-templates-{os.environ.get(RUN_ENV, 'solo')}"


@contextmanager
def _template_lock() -> Iterator[None]:
    root = _template_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


PREPARE = ("from shouhou.core.cli import setup_django; setup_django(); import sys; "
           "from shouhou.core import bootstrap; bootstrap.prepare(sys.stdout, demo={demo})")


def _template(kind: str, pg_base: str) -> Template:
    vendor = "postgresql" if pg_base else "sqlite"
    root = _template_root() / f"{kind}-{vendor}"
    database = f"{TEMPLATE_PREFIX}{os.environ.get(RUN_ENV, 'solo')}_{kind}" if pg_base else ""
    with _template_lock():
        if not (root / "ready").exists():
            shutil.rmtree(root, ignore_errors=True)
            (root / "var").mkdir(parents=True)
            env = {**os.environ, "SHOUHOU_DATA_DIR": str(root / "var"), "SHOUHOU_BASE_URL": "http://127.0.0.1:8000"}
            env.pop("DEBUG", None)
            env.pop("DATABASE_URL", None)
            if pg_base:
                _pg_execute(pg_base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                _pg_execute(pg_base, f'CREATE DATABASE "{database}"')
                env["DATABASE_URL"] = f"{pg_base}/{database}"
            done = subprocess.run([sys.executable, "-c", PREPARE.format(demo=kind == "demo")], env=env,
                                  capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                raise RuntimeError(f"preparing the {kind} template failed:\n{done.stdout}{done.stderr}")
            (root / "output").write_text(done.stdout, encoding="utf-8")
            (root / "ready").touch()
        return Template(root / "var", database, (root / "output").read_text(encoding="utf-8"))


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist): workers inherit it
        os.environ.setdefault(RUN_ENV, uuid.uuid4().hex[:8])
    if config.pluginmanager.hasplugin("django"):
        from django.conf import settings

        # Hashing a password is slow on purpose (PBKDF2, 10^6 rounds: 0.3-1 s here) and the suite
        # creates thousands of users, as Django's testing docs advise. The servers and commands the
        # suite starts as processes keep the real hasher.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DOMAIN_TESTS = Path(__file__).resolve().parent / "domain"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out what would only repeat the SQLite run: tests that ignore the suite's
    database (marked database_independent) and the plain-Python domain (tests/domain), which
    touches none."""
    if not _postgres_base():
        return
    kept, left = [], []
    for item in items:
        once = item.get_closest_marker("database_independent") or item.path.is_relative_to(DOMAIN_TESTS)
        (left if once else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or not os.environ.get(RUN_ENV):
        return
    shutil.rmtree(_template_root(), ignore_errors=True)
    if base := _postgres_base():
        import psycopg

        try:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                names = [row[0] for row in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (f"{TEMPLATE_PREFIX}{os.environ[RUN_ENV]}%",))]
                for name in names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.OperationalError:
            pass


# --- browser --------------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def _playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/setup does)")
    # Playwright's sync API keeps an event loop on this thread for the rest of the session, and
    # Django then takes every later ORM call in this worker for one made from async code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        chromium: dict[str, object] = {}
        yield pw, chromium
        if chromium.get("browser") is not None:
            chromium["browser"].close()  # type: ignore[attr-defined]


@pytest.fixture
def browser(_playwright) -> object:
    """One Chromium per test worker, launched again if it went away (a renderer crash under load
    must not take every later browser test of the worker with it)."""
    pw, chromium = _playwright
    current = chromium.get("browser")
    if current is None or not current.is_connected():
        chromium["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return chromium["browser"]


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
