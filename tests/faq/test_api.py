"""GET /api/v1/faq/search (public, DESIGN §6) and the articles API for support engineers."""

import pytest

from shouhou.faq import services
from shouhou.faq.models import ArticleStatus, FaqArticle
from shouhou.registry import throttle

pytestmark = pytest.mark.django_db


def test_search_answers_ranked_results_with_snippets(client, corpus):
    response = client.get("/api/v1/faq/search", {"q": "无盘 蓝屏"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["title"] == "无盘客户机启动蓝屏"
    assert set(results[0]) == {"id", "title", "snippet", "score"}
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert len(results) <= 10


def test_search_never_returns_drafts(client, db):
    services.article_create(actor=None, title="RAID 卡电池告警", body="草稿。")
    assert client.get("/api/v1/faq/search", {"q": "RAID 电池"}).json() == {"results": []}


@pytest.mark.parametrize(("params", "code"), [
    ({}, "query_empty"), ({"q": ""}, "query_empty"), ({"q": " \u3000 "}, "query_empty"), ({"q": "？！"}, "query_empty"),
    ({"q": "蓝" * 101}, "query_too_long"),
])
def test_unsearchable_queries_are_400_with_a_code(client, db, params, code):
    response = client.get("/api/v1/faq/search", params)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_search_is_rate_limited_per_ip(client, db, settings):
    settings.PUBLIC_RATE = "2/m"
    throttle.reset()
    try:
        statuses = [client.get("/api/v1/faq/search", {"q": "蓝屏"}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert client.get("/api/v1/faq/search", {"q": "蓝屏"}).json()["code"] == "rate_limited"
    finally:
        throttle.reset()


def test_search_is_in_the_openapi_with_an_example(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/faq/search"]["get"]
    assert "security" not in operation  # public
    schema = spec["components"]["schemas"]["FaqSearchOut"]
    assert schema["examples"][0]["results"][0]["title"] == "无盘客户机启动蓝屏"


def _bearer(token_for, user):
    return {"Authorization": f"Bearer {token_for(user)}"}


def test_support_engineer_creates_and_publishes_over_the_api(client, editor, token_for):
    headers = _bearer(token_for, editor)
    response = client.post("/api/v1/faq/articles", {"title": "RAID 卡电池告警", "body": "更换电池。", "tags": ["RAID"]},
                           content_type="application/json", headers=headers)
    assert response.status_code == 201
    article = response.json()
    assert article["status"] == "draft"
    response = client.put(f"/api/v1/faq/articles/{article['id']}",
                          {"title": "RAID 卡电池告警", "body": "更换 BBU 电池。", "publish": True},
                          content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert client.get("/api/v1/faq/search", {"q": "BBU"}).json()["results"][0]["id"] == article["id"]


def test_bad_article_input_is_422_and_stores_nothing(client, editor, token_for):
    response = client.post("/api/v1/faq/articles", {"title": " ", "body": "x"}, content_type="application/json",
                           headers=_bearer(token_for, editor))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not FaqArticle.objects.exists()


def test_dealers_may_not_write_and_do_not_see_drafts(client, alice, token_for):
    draft = services.article_create(actor=None, title="内部草稿", body="x")
    headers = _bearer(token_for, alice)
    response = client.post("/api/v1/faq/articles", {"title": "新文章", "body": "x"}, content_type="application/json",
                           headers=headers)
    assert response.status_code == 403
    assert client.get(f"/api/v1/faq/articles/{draft.pk}", headers=headers).status_code == 404
    response = client.put(f"/api/v1/faq/articles/{draft.pk}", {"title": "改", "body": "y", "publish": True},
                          content_type="application/json", headers=headers)
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT and draft.title == "内部草稿"


def test_article_list_shows_drafts_to_staff_only_in_fixed_queries(client, editor, alice, token_for, corpus,
                                                                  django_assert_max_num_queries):
    services.article_create(actor=None, title="内部草稿", body="x")
    staff_headers, dealer_headers = _bearer(token_for, editor), _bearer(token_for, alice)
    with django_assert_max_num_queries(6):
        staff = client.get("/api/v1/faq/articles", headers=staff_headers).json()
    dealer = client.get("/api/v1/faq/articles", headers=dealer_headers).json()
    assert "内部草稿" in {a["title"] for a in staff}
    assert "内部草稿" not in {a["title"] for a in dealer}
    assert len(staff) == len(dealer) + 1 == corpus.created + 1
    assert client.get("/api/v1/faq/articles").status_code == 401
