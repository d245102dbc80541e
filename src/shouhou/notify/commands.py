"""`shouhou notify send` (deliver due messages now) and `shouhou notify test ADDRESS`.

The worker sends after every change; retries wait for the next run, which `shouhou serve`
queues every minute. Elsewhere run it from cron, e.g.::

    * * * * *  shouhou notify send --enqueue     # crontab, same environment as the worker
"""

from __future__ import annotations

import argparse
import json

from shouhou.core.cli import register, setup_django


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="notify_command", metavar="COMMAND", required=True)
    send = sub.add_parser("send", help="deliver every due email, robot and SMS message now")
    send.add_argument("--enqueue", action="store_true", help="queue it for `shouhou worker` instead")
    send.add_argument("--json", action="store_true", help="print the counts as JSON")
    test = sub.add_parser("test", help="queue a test email to ADDRESS (checks EMAIL_URL)")
    test.add_argument("address")
    test.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])


def run(args: argparse.Namespace) -> int:
    setup_django()
    if args.notify_command == "test":
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email
        from django.db import transaction

        from shouhou.notify.services import Address, emit

        try:
            validate_email(args.address)
        except ValidationError:
            print(f"shouhou: {args.address!r} is not an email address", flush=True)
            return 2
        with transaction.atomic():
            event = emit("notify.test", data={"sent_by": "shouhou notify test"},
                         addresses=[Address(args.address, args.language)])
        message = event.messages.get() if event else None
        print(f"queued {message.message_id if message else '-'}")
        return 0
    if args.enqueue:
        from shouhou.notify.tasks import outbox_send

        print(f"queued {outbox_send.enqueue().id}")
        return 0
    from shouhou.notify.sender import outbox_send_run

    result = outbox_send_run()
    counts = {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
    print(json.dumps(counts) if args.json else ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


register("notify", "Outbox: `shouhou notify send` delivers due messages; `shouhou notify test ADDRESS`.",
         configure, run)
