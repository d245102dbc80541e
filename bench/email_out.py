"""Benchmark: 10,000 queued emails delivered by the outbox vs plain `smtplib` sending the same messages.

    .venv/bin/python bench/email_out.py                 # --messages 10000; DATABASE_URL for PostgreSQL

A scratch data dir (SQLite, or the database DATABASE_URL names: it must be empty or disposable)
is migrated, then 10,000 `notify.test` emails to distinct addresses are emitted in one
transaction. An aiosmtpd server in its own process counts what arrives by Message-ID.

- baseline: the same messages (their bytes built beforehand, so only sending is timed) through
  one `smtplib.SMTP` connection, `sendmail` per message — the floor for one sender over SMTP.
- ours: `outbox_send_run()` from queued to all marked sent: claim batches, render each message
  from its template in its language, build the MIME message, send on one connection, mark sent.

Checks that each message arrived exactly once (by Message-ID) in each run, prints messages/s and
ours as a share of the baseline (goal ≥ 50 %). See bench/README.md, "Email out".
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import smtplib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def smtp_server(port: int, conn: mp.connection.Connection) -> None:
    """aiosmtpd in a child process; answers "count" (and resets) over CONN, "stop" to end."""
    import email.parser

    from aiosmtpd.controller import Controller

    seen: Counter[str] = Counter()
    headers = email.parser.BytesHeaderParser()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            seen[str(headers.parsebytes(envelope.original_content)["Message-ID"])] += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    while True:
        command = conn.recv()
        if command == "count":
            conn.send(dict(seen))
            seen.clear()
        else:
            controller.stop()
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    from tests.conftest import free_port

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="shouhou-bench-mail-")
    os.environ.update({"SHOUHOU_DATA_DIR": data_dir, "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                       "DJANGO_SETTINGS_MODULE": "shouhou.core.settings", "LOG_LEVEL": "WARNING"})
    parent, child = mp.Pipe()
    server = mp.get_context("spawn").Process(target=smtp_server, args=(port, child), daemon=True)
    server.start()
    assert parent.recv() == "ready"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from shouhou.notify.models import Message
    from shouhou.notify.render import overrides_for, render_message
    from shouhou.notify.sender import _email_bytes, outbox_send_run
    from shouhou.notify.services import Address, emit

    call_command("migrate", verbosity=0)
    n = args.messages
    t0 = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            emit("notify.test", data={"sent_by": f"bench {i}"}, addresses=[Address(f"user{i}@example.cn")])
    queued = time.perf_counter() - t0
    messages = list(Message.objects.select_related("event", "channel").order_by("id"))
    assert len(messages) == n

    # Baseline: the same bytes (built now, untimed) through one smtplib connection.
    overrides = overrides_for({"notify.test"})
    sender = settings.DEFAULT_FROM_EMAIL
    prepared = [(m.address, _email_bytes(m, render_message(m, overrides), sender)) for m in messages]
    t0 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for address, data in prepared:
            smtp.sendmail("service@localhost", [address], data)
    base_s = time.perf_counter() - t0
    parent.send("count")
    base_counts = parent.recv()

    # Ours: from queued to every message marked sent.
    t0 = time.perf_counter()
    result = outbox_send_run()
    ours_s = time.perf_counter() - t0
    parent.send("count")
    our_counts = parent.recv()
    parent.send("stop")
    server.join(10)

    ids = set(Message.objects.values_list("message_id", flat=True))
    assert result.sent == n and Message.objects.filter(state="sent").count() == n, result
    assert len(base_counts) == n and set(base_counts.values()) == {1}, "baseline lost or duplicated messages"
    assert set(our_counts) == ids and set(our_counts.values()) == {1}, "outbox lost or duplicated messages"
    size = sum(len(d) for _, d in prepared) / n
    print(f"database: {connection.vendor}; {n} messages, {size:,.0f} bytes each on average; "
          f"emitting them took {queued:.1f} s")
    print(f"{'sender':<34}{'seconds':>9}{'messages/s':>12}")
    print(f"{'smtplib, prepared bytes (floor)':<34}{base_s:>9.2f}{n / base_s:>12,.0f}")
    print(f"{'outbox_send_run (ours)':<34}{ours_s:>9.2f}{n / ours_s:>12,.0f}")
    print(f"ours / smtplib: {base_s / ours_s:.0%} of its messages/s (goal >= 50%); each delivered exactly once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
