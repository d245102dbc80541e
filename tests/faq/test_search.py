"""FAQ search: quality on the shipped corpus, ordering rules, drafts, bad queries, query count."""

import pytest

from shouhou.domain.faq import QueryEmpty, QueryTooLong
from shouhou.faq import services
from shouhou.faq.models import FaqArticle, FaqTerm
from shouhou.faq.selectors import faq_search
from tests.faq.quality import QUALITY

pytestmark = pytest.mark.django_db



@pytest.mark.parametrize(("query", "expected"), QUALITY)
def test_the_expected_article_comes_first(corpus, query, expected):
    hits = faq_search(query)
    assert hits, query
    assert hits[0].title == expected


def test_hits_come_best_first_with_a_snippet_holding_the_term(corpus):
    hits = faq_search("无盘 蓝屏")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "蓝屏" in hits[0].snippet
    assert len(hits[0].snippet) <= 82


def test_a_title_match_outranks_a_body_match(db):
    body_only = services.article_create(actor=None, title="服务器日常维护", body="定期检查网卡掉线记录。", publish=True)
    titled = services.article_create(actor=None, title="网卡掉线", body="见日志。", publish=True)
    assert [h.id for h in faq_search("网卡掉线")] == [titled.pk, body_only.pk]


def test_articles_matching_every_term_come_before_those_matching_one(db):
    one = services.article_create(actor=None, title="蓝屏蓝屏蓝屏", body="蓝屏 蓝屏 蓝屏", publish=True)
    both = services.article_create(actor=None, title="客户机问题", body="无盘 启动后蓝屏", publish=True)
    assert [h.id for h in faq_search("无盘 蓝屏")][:2] == [both.pk, one.pk]


def test_drafts_are_found_only_by_staff_asking_for_them(db, manager, alice):
    draft = services.article_create(actor=None, title="RAID 卡电池告警", body="更换电池。")
    assert faq_search("RAID 电池") == []
    assert faq_search("RAID 电池", user=alice, published_only=False) == []
    assert [h.id for h in faq_search("RAID 电池", user=manager, published_only=False)] == [draft.pk]


@pytest.mark.parametrize("query", ["", "   ", "\u3000", "？！，。"])
def test_a_query_with_nothing_to_search_is_refused_with_a_message(db, query):
    with pytest.raises(QueryEmpty) as exc:
        faq_search(query)
    assert exc.value.status == 400
    assert "请输入" in str(exc.value)


def test_an_over_long_query_is_refused(db):
    with pytest.raises(QueryTooLong) as exc:
        faq_search("蓝屏" * 51)
    assert exc.value.code == "query_too_long"


def test_single_characters_are_found_by_scanning(corpus):
    hits = faq_search("卡")
    assert hits
    assert all("卡" in h.title or "卡" in FaqArticle.objects.get(pk=h.id).body_text for h in hits)


def test_search_reads_in_two_queries(corpus, django_assert_num_queries):
    with django_assert_num_queries(2):
        faq_search("无盘 蓝屏 网卡", limit=10)


def test_every_write_keeps_the_index_current(db):
    article = services.article_create(actor=None, title="电源风扇异响", body="清灰。", publish=True)
    assert [h.id for h in faq_search("异响")] == [article.pk]
    services.article_update(article=article, actor=None, title="电源模块啸叫", body="更换电源模块。")
    assert faq_search("异响") == []
    assert [h.id for h in faq_search("啸叫")] == [article.pk]
    assert not FaqTerm.objects.filter(article=article, term="异响").exists()
    services.article_set_status(article=article, actor=None, publish=False)
    assert faq_search("啸叫") == []
