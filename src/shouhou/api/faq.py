"""FAQ over the API: public search (DESIGN §6) and, for support engineers and managers, articles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from shouhou.core.roles import Role
from shouhou.domain.errors import Forbidden
from shouhou.faq import selectors, services
from shouhou.faq.models import FaqArticle
from shouhou.registry.throttle import public_limited

router = Router(tags=["faq"])
EDITORS = (Role.SUPPORT_ENGINEER, Role.MANAGER, Role.ADMIN)


class RateLimited(Forbidden):
    status = 429
    code = "rate_limited"


class ErrorOut(Schema):
    code: str
    detail: str


class FaqHitOut(Schema):
    id: int
    title: str
    snippet: str
    score: float


class FaqSearchOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [
        {"id": 12, "title": "无盘客户机启动蓝屏", "snippet": "客户机通过无盘启动进入系统时蓝屏，多数与网卡驱动……",
         "score": 2203.0},
        {"id": 7, "title": "客户机蓝屏代码 0x0000007B", "snippet": "……无盘镜像缺少磁盘控制器驱动……", "score": 2015.0},
    ]}]})

    results: list[FaqHitOut]


class ArticleIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "RAID 阵列重建缓慢", "body": "## 现象\n重建进度长时间不变……", "category": "硬盘与RAID",
        "tags": ["RAID", "重建"], "models": [], "publish": True}]})

    title: str
    body: str
    category: str = ""
    tags: list[str] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list, description="product model codes")
    publish: bool = False


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: str
    tags: list[str]
    models: list[str]
    status: str
    view_count: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


def _out(article: FaqArticle) -> dict[str, Any]:
    return {"id": article.pk, "title": article.title, "body": article.body, "category": article.category,
            "tags": article.tags, "models": sorted(m.code for m in article.product_models.all()),
            "status": article.status, "view_count": article.view_count, "created_at": article.created_at,
            "updated_at": article.updated_at, "published_at": article.published_at}


def _editor(request: HttpRequest) -> None:
    if not request.user.has_role(*EDITORS):  # type: ignore[union-attr]
        raise Forbidden(_("只有技术支持和经理可以编辑常见问题。"))


@router.get("/faq/search", response={200: FaqSearchOut, 400: ErrorOut, 429: ErrorOut}, auth=None,
            summary="Search the FAQ (public, published articles, rate-limited)")
def faq_search(request: HttpRequest, q: str = "") -> dict[str, Any]:
    """Published articles matching `q`, best first: articles holding every term first, title
    matches above body matches. 400 `query_empty` when `q` has nothing searchable, 400
    `query_too_long` past 100 characters, 429 over the per-IP rate limit."""
    wait = public_limited(request)
    if wait:
        raise RateLimited(_("请求过于频繁，请稍后再试。"), retry_after=wait)
    hits = selectors.faq_search(q, limit=10)
    return {"results": [{"id": h.id, "title": h.title, "snippet": h.snippet, "score": h.score} for h in hits]}


@router.get("/faq/articles", response={200: list[ArticleOut]},
            summary="Every article the caller may read (drafts for staff only), newest change first")
def faq_article_list(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    articles = selectors.articles_for(request.user).prefetch_related("product_models").order_by("-updated_at", "-id")
    if status:
        articles = articles.filter(status=status)
    return [_out(a) for a in articles]


@router.get("/faq/articles/{article_id}", response={200: ArticleOut, 404: ErrorOut},
            summary="One article (published ones for everybody signed in, drafts for staff)")
def faq_article(request: HttpRequest, article_id: int) -> dict[str, Any]:
    return _out(selectors.article_get_for(request.user, article_id))


@router.post("/faq/articles", response={201: ArticleOut, 403: ErrorOut, 422: ErrorOut},
             summary="Write an article (support engineers, managers)")
def faq_article_create(request: HttpRequest, body: ArticleIn) -> Status:
    _editor(request)
    article = services.article_create(actor=request.user, **body.dict())  # type: ignore[arg-type]
    return Status(201, _out(article))


@router.put("/faq/articles/{article_id}", response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
            summary="Replace an article; `publish` true publishes, false returns it to draft")
def faq_article_update(request: HttpRequest, article_id: int, body: ArticleIn) -> dict[str, Any]:
    _editor(request)
    article = selectors.article_get_for(request.user, article_id)
    article = services.article_update(article=article, actor=request.user, **body.dict())  # type: ignore[arg-type]
    return _out(article)
