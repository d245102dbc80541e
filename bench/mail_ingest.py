"""Benchmark: ingest 1,000 .eml files through `shouhou mail ingest`'s entry point, against the standard
library's `email` parser alone on the same files, in the same run.

Run: .venv/bin/python bench/mail_ingest.py [--messages 1000] [--seed 1]
     (SQLite in a temp data dir; BENCH_PG=postgresql://postgres@127.0.0.1:5432 runs on a scratch
     PostgreSQL database `shouhou_bench_mail_<pid>`, dropped afterwards)

The files are the crafted messages of tests/mail/eml/ (GBK, GB2312, UTF-8, HTML-only, QQ/Foxmail/Outlook
replies, service-form xlsx attachments, bounces, auto-replies), each copy with its own Message-ID, in
random order. Dealer A, its user and the form's units exist, so forms become draft orders and replies
find their dealer; every message is taken (nothing is a duplicate).

Timed, each over the same list of files read from disk:
- stdlib compat32: `email.message_from_bytes(raw)` (what "the parser alone" costs; no decoding);
- stdlib default policy: `message_from_bytes(raw, policy=policy.default)` + `get_body()` text;
- ours, decode only: `shouhou.mail.decode.parse` + `quoting.strip_quoted` (no database);
- ours, ingest: `shouhou.mail.commands.ingest_stdin(raw)`, the whole path (decode, decide, store the
  message, its raw bytes and its audit row, create drafts, one transaction per message);
- write floor: per message, one transaction with one INSERT of its bytes into a plain table (no
  parsing): what storing each message durably on its own costs at the least on this database.
Goal: ingest ≥ 25 % of the stdlib compat32 parser's messages/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EML = ROOT / "tests" / "mail" / "eml"
SKIP = {"25_unusable.eml", "16_oversized.eml"}  # refused, not taken: they would not measure the path


def make_files(directory: Path, count: int, seed: int) -> list[Path]:
    templates = [p.read_bytes() for p in sorted(EML.glob("*.eml")) if p.name not in SKIP]
    rng = random.Random(seed)
    files = []
    for i in range(count):
        raw = rng.choice(templates)
        if re.search(rb"^Message-ID: <", raw, re.MULTILINE | re.IGNORECASE):
            raw = re.sub(rb"^(Message-ID: <)", b"\\1bench%d." % i, raw, count=1, flags=re.MULTILINE | re.IGNORECASE)
        else:
            raw = b"X-Bench: %d\r\n" % i + raw
        path = directory / f"{i:05d}.eml"
        path.write_bytes(raw)
        files.append(path)
    return files


def timed(label: str, fn, files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        fn(path.read_bytes())
    seconds = time.perf_counter() - start
    print(f"  {label:<32} {len(files):>6,} msgs {seconds:8.3f} s {len(files) / seconds:10,.0f} msgs/s", flush=True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="shouhou-bench-mail-"))
    os.environ["SHOUHOU_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DEFAULT_FROM_EMAIL", "售后服务 <service@shouhou.example.cn>")
    pg = os.environ.get("BENCH_PG", "")
    db_name = f"shouhou_bench_mail_{os.getpid()}"
    if pg:
        import psycopg

        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = f"{pg}/{db_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        return run(args, work)
    finally:
        if pg:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def run(args: argparse.Namespace, work: Path) -> int:
    import email
    import email.policy

    sys.path.insert(0, str(ROOT / "src"))
    from shouhou.core.cli import setup_django

    setup_django()
    from datetime import date

    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    from shouhou.core.services import user_create
    from shouhou.mail import decode, quoting
    from shouhou.mail.commands import ingest_stdin
    from shouhou.mail.models import InboundMessage
    from shouhou.registry.models import Dealer, ProductModel, Unit

    dealer = Dealer.objects.create(code="GX-A01", name="南宁甲电脑", email="a@dealer-a.cn")
    user_create(username="li", role="dealer", dealer_code="GX-A01", email="li@dealer-a.cn")
    model = ProductModel.objects.create(code="SN-S200", name="云服务器 S200", replacement_days=90, warranty_months=36)
    for serial in ("SN-MAIL-0001", "SN-MAIL-0002"):
        Unit.objects.create(serial=serial, product_model=model, dealer=dealer, shipped_on=date(2026, 11, 1))

    files = make_files(work, args.messages, args.seed)
    size = sum(p.stat().st_size for p in files)
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{len(files):,} messages, {size / 1e6:.1f} MB; {engine}; CPython {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for path in files[:50]:  # warm the file cache and the code paths of the parsers
        email.message_from_bytes(path.read_bytes())
        decode.parse(path.read_bytes())

    def stdlib_default(raw: bytes) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(("plain", "html"))
        if body is not None:
            body.get_content()

    def ours_decode(raw: bytes) -> None:
        quoting.strip_quoted(decode.parse(raw).body)

    def ours_ingest(raw: bytes) -> None:
        code = ingest_stdin(raw)
        if code != 0:
            raise SystemExit(f"ingest returned {code}")

    base = timed("stdlib compat32 parse", email.message_from_bytes, files)
    default = timed("stdlib policy.default + body", stdlib_default, files)
    decoded = timed("ours decode (no database)", ours_decode, files)
    ingest = timed("ours ingest (full path)", ours_ingest, files)
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (id integer PRIMARY KEY, raw bytea)".replace(
            "bytea", "bytea" if connection.vendor == "postgresql" else "blob"))
    counter = iter(range(1, len(files) + 1))

    def floor(raw: bytes) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_floor (id, raw) VALUES (%s, %s)", [next(counter), raw])

    write_floor = timed("write floor (1 INSERT/message)", floor, files)
    assert InboundMessage.objects.count() == len(files)
    statuses = dict(sorted(InboundMessage.objects.values_list("status").annotate(n=Count("id"))
                           .values_list("status", "n")))
    print(f"  became: {statuses}")
    print(f"ingest / stdlib compat32: {base / ingest:.1%} of its messages/s (goal >= 25 %)")
    print(f"ingest / stdlib policy.default: {default / ingest:.1%}; decode / compat32: {base / decoded:.1%}; "
          f"ingest / write floor: {write_floor / ingest:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
