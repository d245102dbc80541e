"""`shouhou rma sweep`: send due-day reminders and escalations for every open deadline.

The worker has no scheduler; run this from cron or a systemd timer, e.g.::

    */15 7-20 * * *  shouhou rma sweep                  # crontab, same environment as `serve`

    # /etc/systemd/system/shouhou-sweep.timer: OnCalendar=*-*-* 07..20:00/15:00, Persistent=true
    # /etc/systemd/system/shouhou-sweep.service: ExecStart=/opt/shouhou/bin/shouhou rma sweep

It is idempotent: running it twice sends nothing twice. `--enqueue` hands it to the worker.
"""

from __future__ import annotations

import argparse
import json

from shouhou.core.cli import register, setup_django


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rma_command", metavar="COMMAND", required=True)
    sweep = sub.add_parser("sweep", help="send deadline reminders and escalations now")
    sweep.add_argument("--enqueue", action="store_true", help="queue the sweep for `shouhou worker` instead")
    sweep.add_argument("--json", action="store_true", help="print the counts as JSON")


def run(args: argparse.Namespace) -> int:
    setup_django()
    if args.enqueue:
        from shouhou.rma.tasks import deadlines_sweep

        result = deadlines_sweep.enqueue()
        print(f"queued {result.id}")
        return 0
    from shouhou.rma.sweep import deadlines_sweep_run

    result = deadlines_sweep_run()
    counts = {"reminders": result.reminders, "escalations": result.escalations}
    print(json.dumps(counts) if args.json else f"reminders {result.reminders}, escalations {result.escalations}")
    return 0


register("rma", "Service orders: `shouhou rma sweep` sends deadline reminders and escalations.", configure, run)
