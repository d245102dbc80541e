"""Versions of the 返修跟踪单 (repair tracking sheet): one rendering per move of a line after receipt.

Each step on a received line queues `rma.tasks.tracking_sheet_render` after commit, so the request
that moved the line does not wait for the PDF. The task renders the line as it stands and keeps
the PDF as the line's next `TrackingSheet` version. It is safe to run again (a worker that died,
`core/task_recovery.py`): one version per state of the line (unique `line_version`), so a second
run finds it there. A task that never ran costs nothing either: whoever needs the sheet (the
download, the mail) calls `sheet_current`, which renders the missing version first.
"""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shouhou.rma.models import DRAFT, OrderLine, TrackingSheet

log = logging.getLogger(__name__)


def sheet_exists_for(line: OrderLine) -> bool:
    """A line has a tracking sheet once its unit was received (and it is not a draft)."""
    return line.state != DRAFT and line.received_at is not None


@transaction.atomic
def sheet_current(*, line_id: int) -> TrackingSheet | None:
    """The latest tracking sheet of the line, rendered and stored first if the line moved since.

    None when the line has no sheet yet (not received) or does not exist. The line's row is
    locked while rendering, so two workers (or a worker and a download) add one version, not two.
    """
    from shouhou.rma import documents

    line = (OrderLine.objects.select_for_update(of=("self",))
            .select_related("order__dealer", "unit__product_model", "replacement_unit__product_model")
            .filter(pk=line_id).first())
    if line is None or not sheet_exists_for(line):
        return None
    latest = line.tracking_sheets.order_by("-version").first()
    if latest is not None and latest.line_version == line.version:
        return latest
    version = (line.tracking_sheets.aggregate(v=Max("version"))["v"] or 0) + 1
    pdf = documents.render("repair_tracking_sheet", line, version=version)
    try:
        with transaction.atomic():
            return TrackingSheet.objects.create(line=line, version=version, line_version=line.version,
                                                created_at=timezone.now(), pdf=pdf,
                                                checksum=hashlib.sha256(pdf).hexdigest())
    except IntegrityError:  # only without the lock (SQLite has none to take): the other one won
        return line.tracking_sheets.filter(line_version=line.version).first()


def sheet_queue(line: OrderLine) -> None:
    """After commit, render the line's sheet in the worker (nothing for a line not yet received)."""
    if not sheet_exists_for(line):
        return
    transaction.on_commit(lambda pk=line.pk: _enqueue(pk))


def _enqueue(line_id: int) -> None:
    from shouhou.rma.tasks import tracking_sheet_render

    try:
        tracking_sheet_render.enqueue(line_id=line_id)
    except Exception:  # the download and the mail render a missing version themselves
        log.exception("could not queue the tracking sheet of line %s", line_id)


def sheets_of(line: OrderLine) -> list[TrackingSheet]:
    """The line's sheet versions, newest first, without their PDFs (for listing)."""
    return list(line.tracking_sheets.defer("pdf").order_by("-version"))
