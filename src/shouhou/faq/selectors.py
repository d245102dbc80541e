"""Reads of FAQ articles: who sees what, the public list, and Chinese search (faq_search).

Visibility: published articles are public; drafts only for vendor staff. A draft asked for by
anybody else is "not found", exactly like a missing article.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
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


# The query's grams and their weights as a VALUES list joined to the index: the database reads
# each gram's range of the covering index once and returns only the best few articles. Written as
# SQL because the ORM's equivalent (one CASE WHEN per gram, repeated in ORDER BY) cost five times
# as much on SQLite (bench/README.md, "FAQ search"). Same text on SQLite and PostgreSQL.
_INDEX_SQL = """
WITH q(term, w) AS (VALUES {values})
SELECT t.article_id,
       SUM(CASE WHEN t.title_count > 0 THEN 2 * q.w ELSE q.w END) AS share,
       SUM(CASE WHEN t.title_count > 3 THEN 15 ELSE 5 * t.title_count END
           + CASE WHEN t.body_count > 5 THEN 5 ELSE t.body_count END) AS tf
  FROM {table} t JOIN q ON q.term = t.term
 WHERE {published}
 GROUP BY t.article_id
 ORDER BY share DESC, tf DESC, t.article_id
 LIMIT %s
"""


def _index_candidates(query: text.Query, *, drafts: bool, limit: int) -> list[tuple[int, int]]:
    """(article id, tf score) of the LIMIT articles whose index rows hold most of the query, best
    first: the share of each term's grams held, summed over terms, plus the same for its title (an
    article holding every term whole in its title comes first), then a tf score with a title gram
    worth five body grams."""
    weights = text.gram_weights(query)
    sql = _INDEX_SQL.format(values=", ".join(["(%s, CAST(%s AS INTEGER))"] * len(weights)),
                            table=connection.ops.quote_name(FaqTerm._meta.db_table),
                            published="1 = 1" if drafts else "t.published")
    params: list[Any] = [x for pair in weights.items() for x in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(article_id, tf) for article_id, _share, tf in cursor.fetchall()]


def faq_search(q: str, *, user: Any = None, limit: int = 10, published_only: bool = True) -> list[text.Hit]:
    """Articles matching Q, best first (see shouhou.domain.faq.rank), each with a snippet.

    Drafts are searched only when PUBLISHED_ONLY is false and USER is vendor staff. Two queries:
    the best candidates from the index rows of the query's grams, then their text. Raises QueryEmpty for nothing
    searchable and QueryTooLong past 100 characters.
    """
    query = parse_query(q)
    limit = max(1, min(limit, 50))
    drafts = not published_only and _is_staff(user)
    keys = query.grams
    if keys:
        wanted = max(limit * _CANDIDATES_PER_HIT, _MIN_CANDIDATES)
        scores = dict(_index_candidates(query, drafts=drafts, limit=wanted))
        candidates = FaqArticle.objects.filter(pk__in=scores)
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
    found = [text.Candidate(pk, title, body_text, scores.get(pk, 0.0), body_folded)
             for pk, title, body_text, body_folded in candidates.values_list("id", "title", "body_text", "body_folded")]
    return text.rank(query, found, limit=limit)

