"""FAQ pages: the public list, search and article pages (also inside the staff and dealer
navigation when signed in), the staff editor, and the hotline screen's suggestion partial."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouhou.core.access import role_required, staff_required
from shouhou.core.models import AuditEvent
from shouhou.core.roles import Role
from shouhou.domain.errors import Invalid, NotFound
from shouhou.domain.faq import QueryEmpty, QueryTooLong
from shouhou.faq import selectors, services
from shouhou.faq.forms import ArticleForm
from shouhou.faq.models import FaqArticle
from shouhou.faq.rendering import render as render_markdown
from shouhou.workdays.selectors import service_hours_text

View = Callable[..., HttpResponse]
EDITORS = (Role.SUPPORT_ENGINEER, Role.MANAGER, Role.ADMIN)
editor_required = role_required(*EDITORS)


def faq_page(view: View) -> View:
    """GET only; anonymous readers count against the public per-IP rate limit."""

    @require_GET
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from shouhou.registry.throttle import public_limited, retry_after

        wait = 0 if request.user.is_authenticated else public_limited(request)
        if wait:
            response = render(request, "public/rate_limited.html", _context(request), status=429)
            response["Retry-After"] = retry_after(wait)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    signed_in = request.user.is_authenticated
    return {"layout": "faq/layout_app.html" if signed_in else "faq/layout_public.html",
            "hotline": settings.HOTLINE, "service_hours": service_hours_text(),
            "may_edit": signed_in and request.user.has_role(*EDITORS), **extra}  # type: ignore[union-attr]


def _search(request: HttpRequest, q: str, *, limit: int, drafts: bool = False) -> tuple[list[Any], str]:
    """Hits for Q, or no hits and the message saying why the query cannot be searched."""
    try:
        return selectors.faq_search(q, user=request.user, limit=limit, published_only=not drafts), ""
    except (QueryEmpty, QueryTooLong) as exc:
        return [], str(exc)


@faq_page
def faq_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    context = _context(request, q=q[:200])
    if "q" in request.GET:
        hits, error = _search(request, q, limit=20)
        context.update(hits=hits, error=error, searched=True)
        return render(request, "faq/index.html", context, status=400 if error else 200)
    context["categories"] = selectors.published_by_category()
    return render(request, "faq/index.html", context)


@faq_page
def faq_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get_for(request.user, pk)
    if article.is_published:
        services.article_viewed(article_id=article.pk)
    return render(request, "faq/article.html", _context(request, article=article,
                                                        html=render_markdown(article.body)))


@staff_required
@require_GET
def faq_suggest(request: HttpRequest) -> HttpResponse:
    """The three best published articles for the text typed so far (htmx; the hotline screen
    includes it and links a chosen article to the case by its data-article-id)."""
    hits, _error = _search(request, request.GET.get("q", ""), limit=3)
    return render(request, "faq/suggest.html#suggestions", {"hits": hits})


@editor_required
@require_GET
def faq_manage(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    context: dict[str, Any] = {"q": q[:200], "status": status}
    if q.strip():
        hits, error = _search(request, q, limit=50, drafts=True)
        by_id = FaqArticle.objects.in_bulk([h.id for h in hits])
        articles = [by_id[h.id] for h in hits if h.id in by_id]
        context["error"] = error
    else:
        articles = list(FaqArticle.objects.select_related("author").order_by("-updated_at"))
    if status:
        articles = [a for a in articles if a.status == status]
    context["articles"] = articles
    return render(request, "faq/manage.html", context)


def _editor(request: HttpRequest, article: FaqArticle | None) -> HttpResponse:
    initial = {}
    if article is not None:
        initial = {"title": article.title, "body": article.body, "category": article.category,
                   "tags": ", ".join(article.tags), "models": list(article.product_models.all())}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publish = {"publish": True, "draft": False}.get(request.POST.get("action", ""))
        try:
            if article is None:
                article = services.article_create(actor=request.user, publish=bool(publish),  # type: ignore[arg-type]
                                                  **form.service_fields())
            else:
                article = services.article_update(article=article, actor=request.user,  # type: ignore[arg-type]
                                                  publish=publish, **form.service_fields())
        except Invalid as exc:
            form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields else None, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("faq_edit", pk=article.pk)
    history = []
    if article is not None:
        history = list(AuditEvent.objects.filter(object_type="faq.faqarticle", object_id=str(article.pk))
                       .order_by("-at", "-id")[:50])
        labels = {"faq.created": _("创建"), "faq.updated": _("修改"), "faq.published": _("发布"),
                  "faq.unpublished": _("撤回为草稿")}
        for event in history:
            event.label = labels.get(event.verb, event.verb)  # type: ignore[attr-defined]
    preview = render_markdown(form.data.get("body", "")) if form.is_bound else (
        render_markdown(article.body) if article else "")
    return render(request, "faq/edit.html", {"form": form, "article": article, "history": history,
                                             "preview": preview}, status=400 if form.errors else 200)


@editor_required
def faq_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@editor_required
def faq_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = FaqArticle.objects.filter(pk=pk).first()
    if article is None:
        raise NotFound(_("没有找到该文章。"))
    return _editor(request, article)


@editor_required
@require_POST
def faq_preview(request: HttpRequest) -> HttpResponse:
    """The body as readers will see it (htmx, while editing)."""
    return render(request, "faq/edit.html#preview", {"preview": render_markdown(request.POST.get("body", ""))})


@editor_required
@require_POST
def faq_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    article = FaqArticle.objects.filter(pk=pk).first()
    if article is None:
        raise NotFound(_("没有找到该文章。"))
    publish = request.POST.get("publish") == "1"
    services.article_set_status(article=article, actor=request.user, publish=publish)  # type: ignore[arg-type]
    messages.success(request, _("已发布。") if publish else _("已撤回为草稿。"))
    return redirect("faq_edit", pk=pk)
