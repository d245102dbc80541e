"""The FAQ text rules: query terms, index grams, ranking order and snippets (no database)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.domain.faq import (
    WEIGHT_SCALE,
    Candidate,
    QueryEmpty,
    QueryTooLong,
    gram_weights,
    index_grams,
    parse_query,
    rank,
    snippet,
    terms,
)

relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
cjk = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=1, max_size=30)
mixed = st.text(alphabet=st.sampled_from(list("无盘蓝屏网卡掉线 ，。！ RAIDbios5０１ＡＢ、（）")), max_size=40)


def test_full_width_letters_digits_and_punctuation_fold_to_terms():
    assert terms("ＲＡＩＤ５　重建，蓝屏！") == ["raid", "5", "重建", "蓝屏"]


def test_chinese_and_latin_runs_are_separate_terms():
    assert terms("RAID5重建失败") == ["raid", "5", "重建失败"]


@pytest.mark.parametrize("raw", ["", "   ", "\u3000\u3000", "，。！？", "--//**"])
def test_a_query_with_nothing_searchable_is_refused(raw):
    with pytest.raises(QueryEmpty):
        parse_query(raw)


def test_an_over_long_query_is_refused():
    with pytest.raises(QueryTooLong) as exc:
        parse_query("蓝" * 101)
    assert exc.value.code == "query_too_long"


def test_repeated_terms_count_once():
    assert parse_query("蓝屏 蓝屏 无盘").terms == ("蓝屏", "无盘")


def test_index_counts_title_and_body_separately():
    rows = index_grams("无盘蓝屏", "蓝屏了")
    assert rows["蓝屏"] == (1, 1)
    assert rows["无盘"] == (1, 0)
    assert rows["屏了"] == (0, 1)


@relaxed
@given(text=cjk, data=st.data())
def test_every_substring_of_an_article_finds_it(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    query = parse_query(text[start:end])
    present = index_grams("", text)
    assert query.grams <= present.keys()
    held = sum(w for g, w in gram_weights(query).items() if g in present)
    whole = len([t for t in query.terms if len(t) > 1])
    assert whole * WEIGHT_SCALE - 30 * whole <= held <= whole * WEIGHT_SCALE


@relaxed
@given(raw=mixed)
def test_parsing_never_fails_other_than_empty(raw):
    try:
        query = parse_query(raw)
    except QueryEmpty:
        assert terms(raw) == []
    else:
        assert 1 <= len(query.terms) <= 10


@relaxed
@given(body=st.text(max_size=300), term=cjk)
def test_snippet_is_short_and_holds_the_term_when_the_text_does(body, term):
    text = body + term + body
    cut = snippet(text, [term], width=80)
    assert len(cut) <= 82
    if len(term) <= 60 and text == " ".join(text.split()):
        assert term in cut


def test_articles_holding_every_term_outrank_those_holding_one_many_times():
    query = parse_query("无盘 蓝屏")
    many = Candidate(1, "蓝屏代码说明", "蓝屏 蓝屏 蓝屏 蓝屏", index_score=50)
    both = Candidate(2, "客户机问题", "无盘启动后蓝屏", index_score=4)
    titled = Candidate(3, "无盘客户机启动蓝屏", "检查网卡驱动。", index_score=10)
    hits = rank(query, [many, both, titled], limit=10)
    assert [h.id for h in hits] == [3, 2, 1]
    assert hits[0].score > hits[1].score > hits[2].score


def test_a_query_typed_without_spaces_still_finds_the_article_by_its_parts():
    query = parse_query("无盘蓝屏")
    hits = rank(query, [Candidate(1, "风扇噪音大", "无盘"), Candidate(2, "无盘客户机启动蓝屏", "网卡驱动")], limit=5)
    assert [h.id for h in hits] == [2]


def test_articles_without_any_term_are_not_hits():
    assert rank(parse_query("风扇"), [Candidate(1, "电源", "更换电源")], limit=5) == []


def test_a_stored_folded_body_ranks_and_cuts_like_folding_on_the_fly():
    from shouhou.domain.faq import normalize

    body = "ＲＡＩＤ５ 阵列降级后，先确认槽位。" * 5 + "然后更换硬盘。"
    query = parse_query("raid 更换硬盘")
    plain = rank(query, [Candidate(1, "重建", body)], limit=1)
    stored = rank(query, [Candidate(1, "重建", body, body_folded=normalize(body))], limit=1)
    assert plain == stored
    assert stored[0].snippet.startswith("ＲＡＩＤ５ 阵列")
