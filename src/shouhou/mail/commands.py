"""`shouhou mail ingest` (one message on stdin, for an MTA pipe alias) and `shouhou mail fetch` (IMAP)."""

from __future__ import annotations

import argparse
import sys
import traceback

from shouhou.core.cli import register, setup_django

EX_OK, EX_DATAERR, EX_TEMPFAIL, EX_CONFIG = 0, 65, 75, 78


def mail_configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("ingest", help="take one RFC 822 message from standard input (exit 0 taken, 65 unusable, "
                                  "75 try again later)")
    fetch = sub.add_parser("fetch", help="take new messages from the IMAP mailbox IMAP_URL once")
    fetch.add_argument("--url", default=None, help="IMAP URL (default: the IMAP_URL environment variable)")


def ingest_stdin(raw: bytes) -> int:
    """The pipe's entry point: what the MTA sees as our exit code. Tests call it like the command does."""
    from django.db import DatabaseError, DataError

    from shouhou.mail.services import mail_ingest

    try:
        result = mail_ingest(raw=raw)
    except DataError as exc:
        # The database refuses this message's content: trying again would not change that.
        print(f"shouhou mail ingest: message refused by the database ({exc})", file=sys.stderr)
        return EX_DATAERR
    except DatabaseError as exc:
        print(f"shouhou mail ingest: could not store the message now ({exc.__class__.__name__}: {exc}); "
              "the mail server should retry", file=sys.stderr)
        return EX_TEMPFAIL
    except Exception:  # noqa: BLE001
        # A fault of ours must not lose the message: the MTA keeps it and retries; the trace is logged.
        traceback.print_exc()
        return EX_TEMPFAIL
    if result.exit_code == EX_DATAERR:
        reason = "too large" if result.status == "refused" else "not a usable message (no sender)"
        print(f"shouhou mail ingest: message refused: {reason}", file=sys.stderr)
    return result.exit_code


def mail_run(args: argparse.Namespace) -> int:
    try:
        setup_django()
    except Exception as exc:  # noqa: BLE001  (a broken environment is a temporary failure for the MTA)
        print(f"shouhou mail: cannot start ({exc})", file=sys.stderr)
        return EX_TEMPFAIL
    if args.action == "ingest":
        return ingest_stdin(sys.stdin.buffer.read())
    from django.conf import settings
    from django.db import DatabaseError

    from shouhou.mail.imap import fetch, redacted

    url = args.url or settings.IMAP_URL
    if not url:
        print("shouhou mail fetch: set IMAP_URL (imaps://user:pass@host/INBOX)", file=sys.stderr)
        return EX_CONFIG
    try:
        result = fetch(url)
    except DatabaseError as exc:
        print(f"shouhou mail fetch: database unavailable ({exc}); nothing marked as read", file=sys.stderr)
        return EX_TEMPFAIL
    except OSError as exc:
        print(f"shouhou mail fetch: {redacted(url)}: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    except Exception as exc:
        import imaplib

        if isinstance(exc, imaplib.IMAP4.error):
            print(f"shouhou mail fetch: {redacted(url)}: {exc}", file=sys.stderr)
            return EX_TEMPFAIL
        raise
    print(f"taken {result.taken}, already taken {result.duplicates}, refused {result.refused}")
    return EX_OK


# The MTA keeps a message and retries on 75 (EX_TEMPFAIL): a schema not yet migrated must not bounce mail.
register("mail", "Inbound mail: `shouhou mail ingest` < message (MTA pipe), `shouhou mail fetch` (IMAP_URL).",
         mail_configure, mail_run, unavailable_exit=EX_TEMPFAIL)
