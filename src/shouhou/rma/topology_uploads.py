"""Topology diagrams of a refused web service form, kept so that the resubmit needs no re-upload.

When one line of a submitted form fails, the browser forgets every file chosen in it. The form
page therefore keeps each good diagram of the refused submit as a `TopologyUpload` of the user
and shows the form again with a signed token per line (a hidden field) and "已上传：name (移除)".
The next submit of that user takes the diagram from the token, unless a new file is chosen or
移除 ticked. Tokens are signed (and bound to the user who uploaded), so nobody can name another
user's upload; they last a day, like the uploads, which `uploads_purge` deletes after that.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from shouhou.domain.errors import Invalid
from shouhou.rma.models import TopologyUpload
from shouhou.rma.service_form import topology_kind

log = logging.getLogger(__name__)

SALT = "shouhou.rma.topology-upload"
MAX_AGE = timedelta(days=1)


def upload_keep(*, user: Any, upload: Any, now: datetime | None = None) -> tuple[TopologyUpload, str] | None:
    """Keep UPLOAD (a good PNG/JPEG/PDF) for USER; returns it with its token, None for a bad file."""
    try:
        topology_kind(upload)
    except Invalid:
        return None
    now = now or timezone.now()
    uploads_purge(now=now)
    name = (getattr(upload, "name", "") or "topology").rsplit("/", 1)[-1][:200]
    kept = TopologyUpload(name=name, uploaded_by=user, uploaded_at=now)
    upload.seek(0)
    kept.file.save(name, upload, save=False)
    kept.save()
    return kept, signing.dumps({"id": kept.pk}, salt=SALT)


def upload_get(*, user: Any, token: str) -> TopologyUpload | None:
    """The upload TOKEN names, if it is USER's and not older than a day; None otherwise."""
    if not token or getattr(user, "pk", None) is None:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    pk = payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(pk, int):
        return None
    return TopologyUpload.objects.filter(pk=pk, uploaded_by=user).first()


def uploads_discard(uploads: Iterable[TopologyUpload]) -> None:
    """Delete uploads that went into an order (their files were copied to its lines)."""
    for upload in uploads:
        _delete(upload)


def uploads_purge(*, now: datetime | None = None) -> int:
    """Delete every upload older than a day (its form was abandoned); returns how many."""
    now = now or timezone.now()
    stale = list(TopologyUpload.objects.filter(uploaded_at__lt=now - MAX_AGE))
    for upload in stale:
        _delete(upload)
    return len(stale)


def _delete(upload: TopologyUpload) -> None:
    name = upload.file.name
    upload.delete()
    if name:
        storage = upload.file.storage
        transaction.on_commit(lambda: _remove_file(storage, name))


def _remove_file(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        log.warning("could not delete the kept topology upload %s", name)


# --- the service form's lines ---------------------------------------------------------------------


def take_kept(formset: Any, *, user: Any) -> list[TopologyUpload]:
    """Give each line of a valid FORMSET without a new file the diagram its token names (unless
    移除 is ticked); returns the uploads so used, to discard once the form goes through."""
    used = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("topology") or data.get("topology_remove"):
            continue
        upload = upload_get(user=user, token=data.get("topology_token") or "")
        if upload is None:
            continue
        try:
            upload.file.open("rb")
        except OSError:
            continue
        data["topology"] = upload.file
        used.append(upload)
    return used


def keep_for_form(formset: Any, data: Any, files: Any, *, user: Any) -> None:
    """Before a refused form is shown again: keep the good diagrams just uploaded and put their
    tokens in DATA (the formset's own, mutable, POST data), so each line shows what it has."""
    for form in formset.forms:
        token_key = form.add_prefix("topology_token")
        upload = files.get(form.add_prefix("topology"))
        if data.get(form.add_prefix("topology_remove")):
            data[token_key] = ""
        if upload:
            kept = upload_keep(user=user, upload=upload)
            if kept is not None:
                data[token_key] = kept[1]
        form.kept_upload = upload_get(user=user, token=data.get(token_key, ""))
        if form.kept_upload is None:
            data[token_key] = ""
