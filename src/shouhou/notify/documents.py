"""PDFs that go with events, rendered by the app that owns the object (registered in its ready()).

A renderer takes the event and returns (file name, PDF bytes); notify keeps the result on the
event, so every recipient and every retry gets the same file.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile

from shouhou.notify.models import Event

Renderer = Callable[[Event], tuple[str, bytes]]
RENDERERS: dict[str, Renderer] = {}


def register(object_type: str, renderer: Renderer) -> None:
    RENDERERS[object_type] = renderer


def event_attach_document(event: Event) -> bool:
    """Render EVENT's document once and keep it; False when there is none to render or it is there."""
    if not event.document or event.attachment:
        return False
    renderer = RENDERERS.get(event.object_type)
    if renderer is None:
        raise LookupError(f"no document renderer for {event.object_type!r}")
    name, pdf = renderer(event)
    # Another worker may have attached it meanwhile: the row, not this copy, decides.
    if Event.objects.filter(pk=event.pk).exclude(attachment="").exists():
        event.refresh_from_db(fields=["attachment"])
        return False
    event.attachment.save(name, ContentFile(pdf), save=False)
    Event.objects.filter(pk=event.pk, attachment="").update(attachment=event.attachment.name)
    return True
