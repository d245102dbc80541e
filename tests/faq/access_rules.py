"""Access rules of the FAQ's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.faq.models import ArticleStatus, FaqArticle
from tests.gates.rules import Kind, public, signed_in, staff


def _published(seed, dealer_):
    return FaqArticle.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk").first().pk


ARTICLE = {"title": "门禁测试文章", "body": "正文", "category": "", "tags": [], "models": [], "publish": False}

KINDS = {
    # FAQ articles belong to no dealer: the same article for either.
    "faq_article": Kind(fill=lambda seed, d: {"pk": _published(seed, d)}, missing={"pk": 987654321}),
    "api_faq_article": Kind(fill=lambda seed, d: {"article_id": _published(seed, d)},
                            missing={"article_id": 987654321}),
}

RULES = {
    "faq_index": public(),
    "faq_article": public("faq_article"),
    "faq_suggest": staff(query={"q": "蓝屏"}),
    "faq_manage": staff(),
    "faq_create": staff(),
    "faq_edit": staff("faq_article"),
    "faq_preview": staff(),
    "faq_set_status": staff("faq_article"),
    "GET /api/v1/faq/search": public(query={"q": "蓝屏"}),
    "GET /api/v1/faq/articles": signed_in(),
    "GET /api/v1/faq/articles/{article_id}": signed_in("api_faq_article"),
    "POST /api/v1/faq/articles": staff(body=ARTICLE),
    "PUT /api/v1/faq/articles/{article_id}": staff("api_faq_article", body=ARTICLE),
}
