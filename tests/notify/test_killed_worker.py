"""A worker killed between handing a message to the SMTP server and marking it sent.

Real processes: `shouhou worker` sends to aiosmtpd on loopback, whose handler SIGKILLs the
worker after it has the message but before it answers 250. What docs/mail.md promises: the
message stays `sending` until its lease ends, then the next sender sends it again with the
same Message-ID (receivers that see it twice can tell it is one message), and marks it sent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.notify.conftest import SmtpServer

STATE = """
import json
from shouhou.notify.models import Message
print(json.dumps([[m.state, m.tries, m.message_id] for m in Message.objects.filter(transport="email")]))
"""


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return (done.stdout.strip().splitlines() or [""])[-1]  # the last line: what the command printed


class KillingServer(SmtpServer):
    """Takes the message, then kills the sender before it can hear "250"."""

    victim: subprocess.Popen[bytes] | None = None

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.victim is not None:
            os.killpg(self.victim.pid, signal.SIGKILL)
            self.victim = None
        return reply


def test_a_killed_worker_leaves_the_message_to_be_sent_again_with_its_message_id(tmp_path: Path, sites):
    smtp = KillingServer()
    smtp.start()
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(tmp_path / "var"), "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
           "SHOUHOU_NOTIFY_LEASE_SECONDS": "1", "SHOUHOU_NOTIFY_RETRY_SECONDS": "1"}
    env.pop("DATABASE_URL", None)
    database_url, _ = sites.prepare(tmp_path / "var")  # as `serve` leaves it
    if database_url:
        env["DATABASE_URL"] = database_url
    worker = None
    try:
        queued = _run(env, "notify", "test", "li@example.cn").split()[-1]
        worker = subprocess.Popen([sys.executable, "-m", "shouhou", "worker", "--quiet"], env=env,
                                  start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        smtp.victim = worker
        assert worker.wait(timeout=120) == -signal.SIGKILL
        assert len(smtp.received) == 1
        assert json.loads(_run(env, "manage", "shell", "-c", STATE)) == [["sending", 1, queued]]

        time.sleep(1.5)  # the lease of the dead worker runs out
        assert json.loads(_run(env, "notify", "send", "--json")) == {"sent": 1, "retrying": 0, "failed": 0}
        assert json.loads(_run(env, "manage", "shell", "-c", STATE)) == [["sent", 2, queued]]
        assert smtp.message_ids() == [queued, queued]  # twice on the wire, one Message-ID
        assert json.loads(_run(env, "notify", "send", "--json"))["sent"] == 0  # and never again
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        smtp.stop()
