"""Messages rendered from templates, in the recipient's language, when they are sent or shown.

An admin's `MessageTemplate` for (event, language) wins over the shipped file
``notify/messages/<event>.<language>.html``; a language without either falls back to Chinese.
Subject and plain text are rendered without HTML escaping; the HTML part escapes the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, Template, TemplateDoesNotExist, engines
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from shouhou.notify.models import DEFAULT_LANGUAGE, Event, Message, MessageTemplate


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _engine() -> Any:
    return engines["django"].engine  # type: ignore[attr-defined]


def _file_part(event: str, language: str, part: str) -> Template | None:
    try:
        return get_template(f"notify/messages/{event}.{language}.html#{part}").template  # type: ignore[attr-defined]
    except TemplateDoesNotExist:
        return None


Overrides = dict[tuple[str, str], MessageTemplate]


def overrides_for(events: set[str]) -> Overrides:
    """Admins' templates for EVENTS in one query, for rendering many messages."""
    return {(t.event, t.language): t for t in MessageTemplate.objects.filter(event__in=events)}


def _parts(event: str, language: str, overrides: Overrides | None = None) -> tuple[Template, Template, Template | None]:
    if overrides is None:
        stored = MessageTemplate.objects.filter(event=event, language=language).first()
    else:
        stored = overrides.get((event, language))
    if stored is not None:
        engine = _engine()
        html = engine.from_string(stored.html) if stored.html.strip() else None
        return engine.from_string(stored.subject), engine.from_string(stored.text), html
    subject, text = _file_part(event, language, "subject"), _file_part(event, language, "text")
    if subject is None or text is None:
        if language != DEFAULT_LANGUAGE:
            return _parts(event, DEFAULT_LANGUAGE, overrides)
        engine = _engine()
        return engine.from_string(event), engine.from_string("{{ data }}"), None
    return subject, text, _file_part(event, language, "html")


def render_parts(*, event: str, language: str, context: dict[str, Any], thread: str = "",
                 link: str = "", overrides: Overrides | None = None) -> Rendered:
    """Subject, plain text and HTML of EVENT in LANGUAGE with CONTEXT (the event's data)."""
    subject_t, text_t, html_t = _parts(event, language, overrides)
    ctx = {**context, "thread": thread, "link": link, "language": language}
    with translation.override(language):
        subject = " ".join(subject_t.render(Context(ctx, autoescape=False)).split())
        if thread and not subject.startswith(f"[{thread}]"):
            subject = f"[{thread}] {subject}"
        text = text_t.render(Context(ctx, autoescape=False)).strip()
        # linebreaks escaped the text itself; the layout must not escape it again. (S308: the HTML
        # template renders with autoescape on, and linebreaks escapes the text.)
        body = mark_safe(html_t.render(Context(ctx)) if html_t is not None  # noqa: S308
                         else linebreaks(text, autoescape=True))
        html = render_to_string("notify/email.html", {"subject": subject, "body": body, "link": link,
                                                      "language": language})
    return Rendered(subject=subject[:300], text=text, html=html)


def path_for(event: Event, message: Message) -> str:
    """Where the recipient follows up: the portal for a dealer, the staff page for staff, else ""."""
    data = event.data or {}
    path = data.get("portal_url") if message.dealer_id is not None else data.get("staff_url")
    return str(path or "")


def link_for(event: Event, message: Message) -> str:
    path = path_for(event, message)
    return f"{settings.BASE_URL}{path}" if path else ""


def render_message(message: Message, overrides: Overrides | None = None) -> Rendered:
    event = message.event
    return render_parts(event=event.name, language=message.language, context=dict(event.data or {}),
                        thread=event.thread, link=link_for(event, message), overrides=overrides)


def shipped_source(event: str, language: str) -> dict[str, str]:
    """The shipped file's subject and text as template source, for an admin to start from."""
    import re

    try:
        source = get_template(f"notify/messages/{event}.{language}.html").template.source  # type: ignore[attr-defined]
    except (TemplateDoesNotExist, AttributeError):
        return {}
    parts = dict(re.findall(r"{%\s*partialdef (\w+)\s*%}(.*?){%\s*endpartialdef\s*%}", source, re.S))
    return {"event": event, "language": language, "subject": parts.get("subject", "").strip(),
            "text": parts.get("text", "").strip(), "html": parts.get("html", "").strip()}


def preview(template: MessageTemplate, sample: dict[str, Any]) -> Rendered:
    """What an admin's (unsaved) template looks like with an event's sample data."""
    engine = _engine()
    ctx = {**sample, "language": template.language}
    with translation.override(template.language):
        subject = engine.from_string(template.subject).render(Context(ctx, autoescape=False))
        text = engine.from_string(template.text).render(Context(ctx, autoescape=False)).strip()
        body = (engine.from_string(template.html).render(Context(ctx)) if template.html.strip()
                else linebreaks(text, autoescape=True))
    return Rendered(subject=" ".join(subject.split()), text=text, html=body)
