"""`shouhou cases sweep`: remind and escalate unowned team cases (idempotent; see cases.sweep).

Run it from cron with separate web/worker processes (`shouhou serve` queues it every 5 minutes)::

    */5 7-20 * * *  shouhou cases sweep --enqueue
"""

from __future__ import annotations

import argparse
import json

from shouhou.core.cli import register, setup_django


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cases_command", metavar="COMMAND", required=True)
    sweep = sub.add_parser("sweep", help="send team-case reminders and escalations now")
    sweep.add_argument("--enqueue", action="store_true", help="queue the sweep for `shouhou worker` instead")
    sweep.add_argument("--json", action="store_true", help="print the counts as JSON")


def run(args: argparse.Namespace) -> int:
    setup_django()
    if args.enqueue:
        from shouhou.cases.tasks import team_cases_sweep

        result = team_cases_sweep.enqueue()
        print(f"queued {result.id}")
        return 0
    from shouhou.cases.sweep import team_cases_sweep_run

    swept = team_cases_sweep_run()
    counts = {"reminders": swept.reminders, "escalations": swept.escalations}
    print(json.dumps(counts) if args.json else f"reminders {swept.reminders}, escalations {swept.escalations}")
    return 0


register("cases", "Service cases: `shouhou cases sweep` reminds teams of their unowned cases.", configure, run)
