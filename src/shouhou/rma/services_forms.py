"""Writes the RMA pages need on top of `shouhou.rma.services`: a receipt with its photo.

Same rules as the services: one transaction, one audit row per change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import File
from django.db import transaction

from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.rma.models import AttachmentKind, LineAttachment, OrderLine
from shouhou.rma.services import line_apply, topology_kind


@transaction.atomic
def line_attach(*, line: OrderLine, kind: str, upload: File, actor: User) -> LineAttachment:
    """Store a file of LINE (a receipt or inspection photo); raises Invalid for a file that is not
    a PNG, JPEG or PDF by its content, or larger than 10 MB."""
    extension = topology_kind(upload).replace("jpeg", "jpg")
    attachment = LineAttachment(line=line, kind=kind, uploaded_by=actor)
    attachment.file.save(f"{kind}.{extension}", upload, save=False)
    attachment.save()
    audit_record(line, "line.attachment_added", actor=actor, data={"kind": kind, "attachment": attachment.pk})
    return attachment


@transaction.atomic
def line_receive(*, line: OrderLine, actor: User, version: int | None, condition: str,
                 photo: File | None = None, at: datetime | None = None) -> OrderLine:
    """Receive LINE's unit at the service centre, with an optional photo of it as it arrived.

    Raises what `line_apply` raises, and Invalid for a bad photo (then nothing is recorded).
    """
    fields: dict[str, Any] = {"condition": condition}
    received = line_apply(line=line, event="receive", actor=actor, version=version, at=at, fields=fields)
    if photo is not None:
        line_attach(line=received, kind=AttachmentKind.RECEIPT_PHOTO, upload=photo, actor=actor)
    return received
