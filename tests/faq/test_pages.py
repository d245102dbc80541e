"""FAQ pages: public and dealer reading, drafts hidden, the suggestion partial, the staff editor."""

import re

import pytest

from shouhou.core.models import AuditEvent
from shouhou.faq import services
from shouhou.faq.models import ArticleStatus, FaqArticle

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db):
    return services.article_create(actor=None, title="内部草稿：RAID 卡电池", body="尚未核实。")


@pytest.fixture
def published(db):
    return services.article_create(actor=None, title="无盘客户机启动蓝屏", body="检查网卡驱动。", category="无盘启动",
                                   publish=True)


def test_public_list_shows_published_articles_by_category(client, published, draft):
    response = client.get("/faq/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "无盘启动" in body and published.title in body
    assert draft.title not in body
    assert 'name="viewport"' in body


def test_public_list_reads_in_one_query(client, corpus, django_assert_num_queries):
    from shouhou.workdays.selectors import calendar

    calendar()  # built once per process; the page then reads only its version (the footer's hours)
    with django_assert_num_queries(2):
        assert client.get("/faq/").status_code == 200


def test_public_search_finds_and_shows_snippets(client, corpus):
    response = client.get("/faq/", {"q": "无盘 蓝屏"})
    assert response.status_code == 200
    assert response.context["hits"][0].title == "无盘客户机启动蓝屏"


@pytest.mark.parametrize("q", ["", "  ", "，，", "蓝" * 101])
def test_unsearchable_queries_get_a_message_not_an_error(client, published, q):
    response = client.get("/faq/", {"q": q})
    assert response.status_code == 400
    assert response.context["error"]
    assert "alert-warning" in response.content.decode()


def test_article_page_renders_safely_and_counts_views(client):
    article = services.article_create(actor=None, title="安全测试", body="<script>alert(1)</script>\n\n**粗体**",
                                      publish=True)
    response = client.get(f"/faq/{article.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    assert "<strong>粗体</strong>" in body
    article.refresh_from_db()
    assert article.view_count == 1


def test_drafts_are_404_for_the_public_and_dealers_but_open_for_staff(client, client_for, alice, manager, draft):
    assert client.get(f"/faq/{draft.pk}/").status_code == 404
    assert client_for(alice).get(f"/faq/{draft.pk}/").status_code == 404
    assert client.get("/faq/999999/").status_code == 404
    response = client_for(manager).get(f"/faq/{draft.pk}/")
    assert response.status_code == 200
    assert "草稿" in response.content.decode()


def test_dealer_reads_the_faq_inside_the_portal_navigation(client_for, alice, published):
    response = client_for(alice).get("/faq/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "app-nav" in body and "代理商门户" in body
    assert client_for(alice).get(f"/faq/{published.pk}/").status_code == 200


def test_suggest_gives_staff_the_top_three_with_article_ids(client_for, make_user, corpus):
    staff = make_user("customer_service")
    response = client_for(staff).get("/faq/suggest", {"q": "客户机无盘启动就蓝屏"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="faq-suggest-item"') == 3
    assert "关联到案例" in body
    assert "<html" not in body
    first = FaqArticle.objects.get(title="无盘客户机启动蓝屏")
    ids = re.findall(r'<li class="faq-suggest-item" data-article-id="(\d+)"', body)
    assert len(ids) == 3 and ids[0] == str(first.pk)


def test_suggest_with_nothing_typed_is_an_empty_list(client_for, make_user, corpus):
    response = client_for(make_user("customer_service")).get("/faq/suggest", {"q": " "})
    assert response.status_code == 200
    assert "faq-suggest-item" not in response.content.decode()


def test_suggest_is_staff_only(client, client_for, alice):
    assert client_for(alice).get("/faq/suggest", {"q": "蓝屏"}).status_code == 404
    assert client.get("/faq/suggest", {"q": "蓝屏"}).status_code == 302


def test_support_engineer_writes_previews_publishes_and_unpublishes(client_for, editor):
    client = client_for(editor)
    preview = client.post("/faq/manage/preview", {"body": "## 步骤\n<script>x</script>"},
                          headers={"HX-Request": "true"})
    assert "<h2>步骤</h2>" in preview.content.decode() and "<script>x" not in preview.content.decode()
    response = client.post("/faq/manage/new/", {"title": "风扇异响", "body": "清灰。", "category": "电源与散热",
                                                "tags": "风扇，噪音", "action": "save"})
    article = FaqArticle.objects.get(title="风扇异响")
    assert response.status_code == 302 and response["Location"] == f"/faq/manage/{article.pk}/"
    assert (article.status, article.tags, article.author) == (ArticleStatus.DRAFT, ["风扇", "噪音"], editor)
    client.post(f"/faq/manage/{article.pk}/", {"title": "风扇异响", "body": "清灰并更换风扇。", "action": "save"})
    client.post(f"/faq/manage/{article.pk}/status", {"publish": "1"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at
    client.post(f"/faq/manage/{article.pk}/status", {"publish": "0"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.published_at is None
    verbs = list(AuditEvent.objects.filter(object_type="faq.faqarticle", object_id=str(article.pk))
                 .order_by("id").values_list("verb", flat=True))
    assert verbs == ["faq.created", "faq.updated", "faq.published", "faq.unpublished"]
    page = client.get(f"/faq/manage/{article.pk}/").content.decode()
    assert "修改记录" in page and 'data-verb="faq.updated">修改<' in page


def test_a_taken_title_is_refused_on_the_form_and_nothing_changes(client_for, editor, published):
    response = client_for(editor).post("/faq/manage/new/", {"title": published.title, "body": "x", "action": "save"})
    assert response.status_code == 400
    assert "已有同名文章" in response.content.decode()
    assert FaqArticle.objects.count() == 1


def test_an_empty_body_is_refused(client_for, editor):
    response = client_for(editor).post("/faq/manage/new/", {"title": "空文章", "body": "   ", "action": "publish"})
    assert response.status_code == 400
    assert not FaqArticle.objects.exists()


@pytest.mark.parametrize("role", ["customer_service", "service_center"])
def test_other_staff_read_but_do_not_edit(client_for, make_user, role, published):
    client = client_for(make_user(role))
    assert client.get("/faq/").status_code == 200
    assert client.get("/faq/manage/").status_code == 404
    assert client.get(f"/faq/manage/{published.pk}/").status_code == 404
    assert client.post(f"/faq/manage/{published.pk}/status", {"publish": "0"}).status_code == 404
    published.refresh_from_db()
    assert published.status == ArticleStatus.PUBLISHED


def test_dealers_cannot_edit(client_for, alice, published):
    client = client_for(alice)
    assert client.get(f"/faq/manage/{published.pk}/").status_code == 404
    assert client.post(f"/faq/manage/{published.pk}/status", {"publish": "0"}).status_code == 404


def test_manage_list_shows_drafts_and_reads_in_fixed_queries(client_for, editor, corpus, draft,
                                                             django_assert_max_num_queries):
    client = client_for(editor)
    with django_assert_max_num_queries(8):
        response = client.get("/faq/manage/")
    assert draft.title in response.content.decode()
    drafts_only = client.get("/faq/manage/", {"status": "draft"})
    assert list(drafts_only.context["articles"]) == [draft]
    found = client.get("/faq/manage/", {"q": "RAID 电池"})
    assert found.context["articles"][0].pk == draft.pk


def test_support_engineers_get_their_own_menu_section(client_for, editor):
    body = client_for(editor).get("/").content.decode()
    assert "技术支持" in body and "/faq/manage/" in body


def test_anonymous_readers_are_rate_limited_signed_in_ones_are_not(client, client_for, manager, published, settings):
    from shouhou.registry import throttle

    settings.PUBLIC_RATE = "2/m"
    throttle.reset()
    try:
        assert [client.get("/faq/").status_code for _ in range(3)] == [200, 200, 429]
        assert client.get(f"/faq/{published.pk}/").status_code == 429
        staff = client_for(manager)
        assert [staff.get("/faq/").status_code for _ in range(3)] == [200, 200, 200]
    finally:
        throttle.reset()
