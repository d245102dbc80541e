"""Writes for FAQ articles: each in one transaction with its audit row and its search index rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.domain.errors import Invalid
from shouhou.domain.faq import index_grams, normalize
from shouhou.faq.models import ArticleStatus, FaqArticle, FaqTerm
from shouhou.faq.rendering import plain_text
from shouhou.registry.models import ProductModel

MAX_TAGS = 10
MAX_TAG_CHARS = 30
MAX_BODY_CHARS = 50_000


def _clean(*, title: str, body: str, category: str, tags: Sequence[str], models: Sequence[str],
           exclude_pk: int | None) -> tuple[str, str, str, list[str], list[ProductModel]]:
    title = " ".join((title or "").split())
    if title.startswith("#"):
        title = title.lstrip("#").strip()
    body = (body or "").strip()
    category = " ".join((category or "").split())
    if not title:
        raise Invalid(_("请填写标题。"), field="title")
    if len(title) > 200:
        raise Invalid(_("标题最长 200 字。"), field="title")
    if not body:
        raise Invalid(_("请填写正文。"), field="body")
    if len(body) > MAX_BODY_CHARS:
        raise Invalid(_("正文最长 %(n)s 字。") % {"n": MAX_BODY_CHARS}, field="body")
    if len(category) > 50:
        raise Invalid(_("分类最长 50 字。"), field="category")
    clean_tags = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    if len(clean_tags) > MAX_TAGS or any(len(t) > MAX_TAG_CHARS for t in clean_tags):
        raise Invalid(_("标签最多 %(n)s 个，每个最长 %(chars)s 字。") % {"n": MAX_TAGS, "chars": MAX_TAG_CHARS},
                      field="tags")
    codes = list(dict.fromkeys(c.strip() for c in models if c and c.strip()))
    found = list(ProductModel.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {m.code for m in found})
    if missing:
        raise Invalid(_("产品型号不存在：%(codes)s") % {"codes": "、".join(missing)}, field="models")
    taken = FaqArticle.objects.filter(title=title)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Invalid(_("已有同名文章：%(title)s") % {"title": title}, field="title")
    return title, body, category, clean_tags, found


def _reindex(article: FaqArticle) -> None:
    FaqTerm.objects.filter(article=article).delete()
    rows = index_grams(article.title, article.body_text)
    FaqTerm.objects.bulk_create(
        [FaqTerm(article=article, term=g, title_count=min(t, 32767), body_count=min(b, 32767),
                 published=article.is_published)
         for g, (t, b) in rows.items()],
        batch_size=500,
    )


@transaction.atomic
def article_create(*, actor: User | None, title: str, body: str, category: str = "",
                   tags: Iterable[str] = (), models: Iterable[str] = (), publish: bool = False) -> FaqArticle:
    """Write a new article (a draft unless PUBLISH) and index it. Raises Invalid for a missing or
    over-long field, a taken title or an unknown product model code."""
    title, body, category, tag_list, product_models = _clean(
        title=title, body=body, category=category, tags=list(tags), models=list(models), exclude_pk=None)
    now = timezone.now()
    body_text = plain_text(body)
    article = FaqArticle.objects.create(
        title=title, body=body, body_text=body_text, body_folded=normalize(body_text), category=category, tags=tag_list,
        author=actor if actor is not None and actor.pk else None, created_at=now, updated_at=now,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT, published_at=now if publish else None,
    )
    article.product_models.set(product_models)
    _reindex(article)
    audit_record(article, "faq.created", actor=actor,
                 data={"title": title, "status": article.status, "category": category})
    return article


@transaction.atomic
def article_update(*, article: FaqArticle, actor: User | None, title: str, body: str, category: str = "",
                   tags: Iterable[str] = (), models: Iterable[str] = (), publish: bool | None = None) -> FaqArticle:
    """Replace the article's fields (PUBLISH: True publishes, False unpublishes, None keeps the
    status) and re-index it. Raises Invalid like article_create. The audit row keeps the previous
    title and body, so every edit can be read back from the trail."""
    article = FaqArticle.objects.select_for_update().get(pk=article.pk)
    title, body, category, tag_list, product_models = _clean(
        title=title, body=body, category=category, tags=list(tags), models=list(models), exclude_pk=article.pk)
    before: dict[str, Any] = {"title": article.title, "body": article.body, "category": article.category,
                              "tags": article.tags,
                              "models": sorted(article.product_models.values_list("code", flat=True))}
    after: dict[str, Any] = {"title": title, "body": body, "category": category, "tags": tag_list,
                             "models": sorted(m.code for m in product_models)}
    changed = [k for k in after if before[k] != after[k]]
    if not changed and (publish is None or publish == article.is_published):
        return article  # a re-import of the same file, or a save without edits: nothing to record
    now = timezone.now()
    article.title, article.body, article.body_text = title, body, plain_text(body)
    article.body_folded = normalize(article.body_text)
    article.category, article.tags, article.updated_at = category, tag_list, now
    fields = ["title", "body", "body_text", "body_folded", "category", "tags", "updated_at"]
    status_before = article.status
    if publish is not None:
        _set_status(article, publish=publish, now=now)
        fields += ["status", "published_at"]
    article.save(update_fields=fields)
    article.product_models.set(product_models)
    _reindex(article)
    if changed:
        audit_record(article, "faq.updated", actor=actor,
                     data={"changed": changed, "before": {k: before[k] for k in changed}})
    if article.status != status_before:
        audit_record(article, _status_verb(article), actor=actor, data={"title": title})
    return article


def _status_verb(article: FaqArticle) -> str:
    return "faq.published" if article.status == ArticleStatus.PUBLISHED else "faq.unpublished"


def _set_status(article: FaqArticle, *, publish: bool, now: Any) -> None:
    if publish and article.status != ArticleStatus.PUBLISHED:
        article.status, article.published_at = ArticleStatus.PUBLISHED, now
    elif not publish and article.status != ArticleStatus.DRAFT:
        article.status, article.published_at = ArticleStatus.DRAFT, None


@transaction.atomic
def article_set_status(*, article: FaqArticle, actor: User | None, publish: bool) -> FaqArticle:
    """Publish or unpublish (back to draft); doing what is already so changes nothing."""
    article = FaqArticle.objects.select_for_update().get(pk=article.pk)
    before = article.status
    _set_status(article, publish=publish, now=timezone.now())
    if article.status != before:
        article.save(update_fields=["status", "published_at"])
        FaqTerm.objects.filter(article=article).update(published=article.is_published)
        audit_record(article, _status_verb(article), actor=actor, data={"title": article.title})
    return article


def article_viewed(*, article_id: int) -> None:
    """Count one reading of a published article (one UPDATE; no audit row: it is not a change)."""
    FaqArticle.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
