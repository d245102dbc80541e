"""Reads of FAQ articles: who sees what, the public list, and Chinese search (faq_search).

Visibility: published articles are public; drafts only for vendor staff. A draft asked for by
anybody else is "not found", exactly like a missing article.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shouhou.domain import faq as text
from shouhou.domain.errors import NotFound
from shouhou.faq.models import ArticleStatus, FaqArticle, FaqTerm

# Candidates re-checked exactly per hit wanted, and at least this many (faq_search).
_CANDIDATES_PER_HIT = 5
_MIN_CANDIDATES = 50
# Articles scanned with LIKE when the query holds only single Chinese characters (not indexed).
_LIKE_CANDIDATES = 200


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_vendor_staff", False))


def articles_for(user: Any) -> QuerySet[FaqArticle]:
    """Every article USER may read: all for vendor staff, published ones for everybody else."""
    qs = FaqArticle.objects.all()
    return qs if _is_staff(user) else qs.filter(status=ArticleStatus.PUBLISHED)


def article_get_for(user: Any, pk: int) -> FaqArticle:
    """The article PK if USER may read it; raises NotFound otherwise (drafts for non-staff too)."""
    try:
        return articles_for(user).prefetch_related("product_models").get(pk=pk)
    except (FaqArticle.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("没有找到该文章。")) from exc


def published_by_category() -> list[tuple[str, list[FaqArticle]]]:
    """Published articles grouped by category (categories and titles in order), in one query."""
    groups: dict[str, list[FaqArticle]] = defaultdict(list)
    rows = (FaqArticle.objects.filter(status=ArticleStatus.PUBLISHED)
            .only("id", "title", "category", "view_count").order_by("category", "title"))
    for article in rows:
        groups[article.category or _("其他")].append(article)
    return list(groups.items())


def parse_query(q: str) -> text.Query:
    """The query's terms; raises QueryEmpty / QueryTooLong (HTTP 400) with a message for people."""
    try:
        return text.parse_query(q)
    except text.QueryEmpty as exc:
        raise text.QueryEmpty(_("请输入要搜索的问题或关键词。")) from exc
    except text.QueryTooLong as exc:
        raise text.QueryTooLong(_("搜索内容太长，请控制在 %(n)s 字以内。") % {"n": text.MAX_QUERY_CHARS},
                                limit=text.MAX_QUERY_CHARS) from exc


def faq_search(q: str, *, user: Any = None, limit: int = 10, published_only: bool = True) -> list[text.Hit]:
    """Articles matching Q, best first (see shouhou.domain.faq.rank), each with a snippet.

    Drafts are searched only when PUBLISHED_ONLY is false and USER is vendor staff. Two queries:
    the index rows of the query's grams, then the candidates' text. Raises QueryEmpty for nothing
    searchable and QueryTooLong past 100 characters.
    """
    query = parse_query(q)
    limit = max(1, min(limit, 50))
    drafts = not published_only and _is_staff(user)
    keys = query.grams
    if keys:
        rows = FaqTerm.objects.filter(term__in=keys)
        if not drafts:
            rows = rows.filter(article__status=ArticleStatus.PUBLISHED)
        present: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
        for article_id, term, title_count, body_count in rows.values_list(
                "article_id", "term", "title_count", "body_count"):
            present[article_id][term] = (title_count, body_count)
        coarse = {pk: text.coarse_key(query, grams) for pk, grams in present.items()}
        wanted = max(limit * _CANDIDATES_PER_HIT, _MIN_CANDIDATES)
        ids = sorted(coarse, key=lambda pk: (*coarse[pk], -pk), reverse=True)[:wanted]
        scores = {pk: coarse[pk][3] for pk in ids}
        candidates = FaqArticle.objects.filter(pk__in=ids)
    else:
        # Only single characters: too common to index, so scan (bounded) for them as substrings.
        match = Q()
        for term in query.terms:
            match |= Q(title__icontains=term) | Q(body_text__icontains=term)
        candidates = FaqArticle.objects.filter(match)
        if not drafts:
            candidates = candidates.filter(status=ArticleStatus.PUBLISHED)
        candidates = candidates.order_by("pk")[:_LIKE_CANDIDATES]
        scores = {}
    found = [text.Candidate(pk, title, body_text, scores.get(pk, 0.0))
             for pk, title, body_text in candidates.values_list("id", "title", "body_text")]
    return text.rank(query, found, limit=limit)

