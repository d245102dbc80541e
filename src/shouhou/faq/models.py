"""FAQ articles and their search index rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class FaqArticle(models.Model):
    """One FAQ article (常见问题). The body is Markdown, rendered and sanitised when shown.

    Articles are not dealer data: published ones are public, drafts are for vendor staff only
    (``selectors.articles_for``), so there is no ``dealer_scope``.
    """

    title = models.CharField(_("标题"), max_length=200, unique=True)
    body = models.TextField(_("正文（Markdown）"))
    # The body as plain text (Markdown rendered, tags stripped): what snippets and exact matching read.
    body_text = models.TextField(editable=False, default="")
    # body_text folded for matching (shouhou.domain.faq.normalize), stored because folding 50
    # candidates per search cost more than the rest of the search.
    body_folded = models.TextField(editable=False, default="")
    category = models.CharField(_("分类"), max_length=50, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    product_models = models.ManyToManyField(
        "registry.ProductModel", verbose_name=_("适用型号"), blank=True, related_name="faq_articles"
    )
    status = models.CharField(_("状态"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作者"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="faq_article_status_valid"),
            models.CheckConstraint(
                condition=Q(status=ArticleStatus.DRAFT) | Q(published_at__isnull=False),
                name="faq_article_published_has_time",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="faq_article_title_not_blank"),
        ]
        indexes = [
            # Used by the public FAQ list: published articles by category, then title.
            models.Index(fields=["status", "category", "title"], name="faq_article_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("faq_article", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class FaqTerm(models.Model):
    """One search key of an article (a Chinese bigram or a Latin word) with its counts, written by
    ``services`` on every change of the article (shouhou.domain.faq.index_grams)."""

    # The foreign key's own index serves re-indexing (delete an article's rows).
    article = models.ForeignKey(FaqArticle, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=32)
    title_count = models.PositiveSmallIntegerField(default=0)
    body_count = models.PositiveSmallIntegerField(default=0)
    # The article's status, copied so that public search reads the index alone (no join per row).
    published = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "article"], name="faq_term_unique"),
        ]
        indexes = [
            # Used by faq_search: every row of a query's grams, read from the index alone (it covers
            # every column the ranking sums), published ones first in each term's range.
            models.Index(fields=["term", "published", "article", "title_count", "body_count"],
                         name="faq_term_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.article_id})"
