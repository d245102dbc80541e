"""Sub-commands of `shouhou`. Each declares its arguments and runs with Django set up."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time

from shouhou.core.bootstrap import Periodic
from shouhou.core.cli import register, setup_django


def _check_production() -> None:
    """`web` and `serve` run the production server: refuse DEBUG and a guessable key."""
    from django.conf import settings

    from shouhou.core.env import insecure_secret

    if settings.DEBUG:
        raise SystemExit("shouhou: refusing to serve with DEBUG=1; unset DEBUG for production.")
    if insecure_secret(settings.SECRET_KEY):
        raise SystemExit("shouhou: refusing to serve with an insecure SECRET_KEY (use 50+ random characters, "
                         "or leave it unset to have one generated in the data directory).")


def _web_argv(host: str, port: int, workers: int) -> list[str]:
    # granian over gunicorn: measured in bench/http_server.py (bench/README.md, "HTTP server").
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", "4",
        "--workers-kill-timeout", "20",
        "--log-level", "warning",
        "shouhou.core.wsgi:application",
    ]


def _default_workers() -> int:
    # One process per core, each with 4 threads, as granian advises; bench/README.md found no
    # setting that uses less CPU per request, so the default follows the server's own guidance.
    return int(os.environ.get("SHOUHOU_WEB_WORKERS", str(os.cpu_count() or 1)))


# --- serve ----------------------------------------------------------------------------------
def serve_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--demo", action="store_true", help="load demo data (dealers, users, orders) once")


def serve_run(args: argparse.Namespace) -> int:
    from shouhou.core.env import base_url_from_server

    base_url_from_server(args.host, args.port)  # links and labels follow --port unless SHOUHOU_BASE_URL is set
    setup_django()
    from django.conf import settings

    from shouhou.core import bootstrap

    settings_data_dir = settings.DATA_DIR
    settings_data_dir.mkdir(parents=True, exist_ok=True)
    _check_production()
    out = sys.stdout
    out.write(f"数据目录 / data directory: {settings_data_dir}\n")
    bootstrap.prepare(out, demo=args.demo)
    out.flush()

    env = {**os.environ, "SHOUHOU_DATA_DIR": str(settings_data_dir)}
    children = [
        subprocess.Popen(_web_argv(args.host, args.port, _default_workers()), env=env),  # noqa: S603  (our argv)
        subprocess.Popen([sys.executable, "-m", "shouhou", "worker", "--quiet"], env=env),
    ]
    url = f"http://{args.host}:{args.port}/"
    # The base URL first: scripts and tests read up to the "running at" line.
    out.write(f"链接与标签二维码地址 / base URL for links and labels: {settings.BASE_URL}\n")
    out.write(f"Shouhou 已启动 / running at {url}   (Ctrl-C 停止 / to stop)\n")
    out.flush()
    return _supervise(children, periodic=bootstrap.PERIODIC)


def _run_due(periodic: list[Periodic], last: dict[str, float], now: float) -> None:
    """Queue each periodic task whose interval has passed (the first time: at once)."""
    from django.db import close_old_connections

    for job in periodic:
        if now - last.get(job.name, float("-inf")) < job.seconds:
            continue
        last[job.name] = now
        try:
            job.enqueue()
        except Exception:  # a failed enqueue must not stop the web server; try again next interval
            logging.getLogger(__name__).exception("could not queue %s", job.name)
        finally:
            close_old_connections()


def _supervise(children: list[subprocess.Popen[bytes]], *, periodic: list[Periodic] | None = None) -> int:
    """Run until Ctrl-C/SIGTERM or a child dies, queueing periodic work; then stop all children."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    last: dict[str, float] = {}
    while not stopping:
        _run_due(periodic or [], last, time.monotonic())
        for child in children:
            if child.poll() is not None:
                code = child.returncode or 1
                stopping = True
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    sys.stdout.write("Shouhou 已停止 / stopped\n")
    return code


register("serve", "Start web server and task worker on the embedded default (creates data dir, migrates, "
         "creates the first admin).", serve_configure, serve_run, needs_schema=False)  # migrates itself


# --- web / worker ---------------------------------------------------------------------------
def web_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None, help="processes (default: one per core)")


def web_run(args: argparse.Namespace) -> int:
    from shouhou.core.env import base_url_from_server

    base_url_from_server(args.host, args.port)
    setup_django()
    from django.core.management import call_command

    from shouhou.core.schema import SchemaProblem, embedded, ensure_schema

    _check_production()  # refuse DEBUG or a weak key before touching the data dir
    try:
        ensure_schema(sys.stderr)
    except SchemaProblem as exc:
        print(exc, file=sys.stderr)
        return 2
    if embedded():
        # As `serve` does: the manifest the pages' static links come from (the CLI migrated already).
        call_command("collectstatic", interactive=False, verbosity=0)
    argv = _web_argv(args.host, args.port, args.workers or _default_workers())
    os.execv(argv[0], argv)  # noqa: S606  (our argv; the web server replaces this process, so signals reach it)
    return 0


register("web", "Production web server only (on PostgreSQL run migrations first with `shouhou manage migrate`).",
         web_configure, web_run, needs_schema=False)  # checks the schema itself, after refusing an unsafe setup


def worker_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    p.add_argument("--quiet", action="store_true", help="log only failures, not every task started and finished")


def worker_run(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    from shouhou.core.task_recovery import tasks_recover, worker_id

    # A worker killed mid-task left it RUNNING: queue it again (or mark it failed) before starting.
    for lost in tasks_recover():
        print(f"{'queued again' if lost.requeued else 'marked failed'}: task {lost.task_id} ({lost.task_path}) "
              f"of stopped worker {lost.worker}", file=sys.stderr)
    options = ["--no-startup-delay", "--no-reload", "--worker-id", worker_id()]
    if args.batch:
        options.append("--batch")
    if args.quiet:
        # The worker sets its loggers' levels itself; a filter still drops the per-task lines.
        for name in ("django_tasks", "django_tasks_db"):
            logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.WARNING)
    call_command("db_worker", *options)
    return 0


register("worker", "Task worker (documents, deadline reminders, imports); run any number of them.",
         worker_configure, worker_run)


# --- user / token ---------------------------------------------------------------------------
def user_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="create a user with one role")
    create.add_argument("username")
    create.add_argument("--role", required=True,
                        help="customer_service, support_engineer, service_center, manager, admin, dealer "
                             "or integration")
    create.add_argument("--dealer", help="dealer code (dealer role only)")
    create.add_argument("--email", default="")
    create.add_argument("--name", default="", help="display name, e.g. 张伟")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def user_run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.core.services import user_create
    from shouhou.domain.errors import ShouhouError

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        user = user_create(username=args.username, role=args.role, password=password, email=args.email,
                           name=args.name, dealer_code=args.dealer)
    except ShouhouError as exc:
        print(f"shouhou: {exc}", file=sys.stderr)
        return 2
    print(f"created user {user.username} ({args.role})")
    return 0


register("user", "Manage users: `shouhou user create USERNAME --role ROLE [--dealer CODE]`.",
         user_configure, user_run)


def token_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="issue an API token (printed once)")
    create.add_argument("username")
    create.add_argument("--name", default="", help="a label, e.g. the system that will use it")
    revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
    revoke.add_argument("prefix")


def token_run(args: argparse.Namespace) -> int:
    setup_django()
    from shouhou.core.models import ApiToken
    from shouhou.core.services import token_create, token_revoke
    from shouhou.domain.errors import ShouhouError

    if args.action == "create":
        try:
            _, raw = token_create(username=args.username, name=args.name)
        except ShouhouError as exc:
            print(f"shouhou: {exc}", file=sys.stderr)
            return 2
        print(raw)
        print("(shown once; only a hash is stored)", file=sys.stderr)
        return 0
    tokens = list(ApiToken.objects.filter(prefix=args.prefix, revoked_at__isnull=True))
    if len(tokens) != 1:
        print(f"shouhou: {len(tokens)} active tokens match {args.prefix!r}", file=sys.stderr)
        return 2
    token_revoke(token=tokens[0], actor=None)
    print(f"revoked {args.prefix}")
    return 0


register("token", "API tokens: `shouhou token create USERNAME [--name LABEL]`, `shouhou token revoke PREFIX`.",
         token_configure, token_run)


def manage_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("args", nargs=argparse.REMAINDER, help="a Django management command and its arguments")


register("manage", "Run a Django management command, e.g. `shouhou manage migrate`.", manage_configure,
         lambda args: 0)  # handled before parsing in cli.main, so Django sees its own arguments
