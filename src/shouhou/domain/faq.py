"""FAQ search text rules: normalisation, query terms, index grams, ranking and snippets.

Plain Python, no Django: the FAQ app stores what ``index_grams`` returns and ranks with ``rank``.

Chinese has no spaces, so words cannot be found by splitting. We index **character bigrams** of
every run of Chinese characters (无盘客户机 → 无盘 盘客 客户 户机) and whole lower-case words of
Latin letters and digits (RAID, BIOS, 500). A query term is found where all its bigrams are; the
few candidates are then checked exactly (substring) and ranked. Why bigrams rather than a word
segmenter such as jieba: a segmenter needs a dictionary and splits product jargon unpredictably
(无盘, 计费, 掉线 must be added by hand, and a query segmented differently from the article misses
it), while bigrams find every substring of two or more characters with no dictionary at all; the
same rows and the same Python ranking run on SQLite and PostgreSQL, so both rank alike. See
docs/faq-search.md for the alternatives measured against.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shouhou.domain.errors import ShouhouError

MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 10
MAX_GRAM_CHARS = 32  # the stored column's width; longer Latin words are cut

# CJK Unified Ideographs (with extension A) and the compatibility block: what Chinese text is made of.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Letters and digits are separate terms, so "RAID" finds "RAID5" and "0x7B" finds "0x0000007B" by its parts.
_TERM = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")


class QueryEmpty(ShouhouError):
    """A query with nothing searchable in it (empty, blanks or punctuation only)."""

    status = 400
    code = "query_empty"


class QueryTooLong(ShouhouError):
    status = 400
    code = "query_too_long"


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation to their ASCII forms; then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> list[str]:
    """The searchable terms of TEXT, in order: runs of Chinese characters, of Latin letters, of digits.
    Everything else (spaces, punctuation, symbols, either width) separates terms."""
    return _TERM.findall(normalize(text))


def is_cjk(term: str) -> bool:
    return bool(term) and term[0] >= "\u3400"


def grams(term: str) -> list[str]:
    """The index keys of one term: bigrams of a Chinese run (the run itself when one character
    long), the word itself for Latin letters and digits."""
    if not is_cjk(term):
        return [term[:MAX_GRAM_CHARS]]
    if len(term) == 1:
        return [term]
    return [term[i : i + 2] for i in range(len(term) - 1)]


def index_grams(title: str, body: str) -> dict[str, tuple[int, int]]:
    """gram -> (occurrences in the title, occurrences in the body): the rows an article is indexed by."""
    title_counts = Counter(g for t in terms(title) for g in grams(t))
    body_counts = Counter(g for t in terms(body) for g in grams(t))
    return {g: (title_counts[g], body_counts[g]) for g in title_counts.keys() | body_counts.keys()}


@dataclass(frozen=True)
class Query:
    text: str  # the normalised text as typed
    terms: tuple[str, ...]  # distinct, in order

    @property
    def grams(self) -> set[str]:
        """Keys to look up in the index: those of every term that has an indexed gram (single
        Chinese characters are indexed only where they stand alone, so they are checked exactly)."""
        return {g for t in self.terms if not (is_cjk(t) and len(t) == 1) for g in grams(t)}


def parse_query(raw: str) -> Query:
    """The query's terms; raises QueryEmpty for nothing searchable, QueryTooLong past 100 characters."""
    text = normalize(raw or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"query longer than {MAX_QUERY_CHARS} characters", limit=MAX_QUERY_CHARS)
    found = list(dict.fromkeys(terms(text)))[:MAX_QUERY_TERMS]
    if not found:
        raise QueryEmpty("query has no searchable words")
    return Query(text=text, terms=tuple(found))


@dataclass(frozen=True)
class Candidate:
    """An article that holds some of the query's grams, with what the index says about it."""

    id: int
    title: str
    body_text: str
    index_score: float = 0.0  # tf-weighted gram hits from the index
    body_folded: str | None = None  # normalize(body_text), when stored: folding costs more than ranking


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    snippet: str
    score: float
    matched: int  # query terms found whole (title or body)
    in_title: int  # query terms found whole in the title


def _coverage(term: str, title: str, body: str) -> tuple[float, float]:
    """The share of TERM's grams found in title or body, and in the title: how much of a term typed
    without spaces ("无盘蓝屏") an article holds when it does not hold it whole."""
    keys = grams(term)
    anywhere = sum(1 for g in keys if g in title or g in body)
    titled = sum(1 for g in keys if g in title)
    return anywhere / len(keys), titled / len(keys)


# A term of n grams gives each gram WEIGHT_SCALE // n: integers, so both databases sum them exactly
# alike, and exact for terms up to 16 grams (720720 is divisible by 1…16).
WEIGHT_SCALE = 720720


def gram_weights(query: Query) -> dict[str, int]:
    """What holding each indexed gram is worth: WEIGHT_SCALE/n for each term of n grams it belongs
    to, so that the sum over the grams an article holds is the share of each term it holds, summed
    over terms (an article holding every term whole scores about len(terms) × WEIGHT_SCALE, the most)."""
    weights: dict[str, int] = {}
    for term in query.terms:
        if is_cjk(term) and len(term) == 1:
            continue
        keys = set(grams(term))
        for g in keys:
            weights[g] = weights.get(g, 0) + WEIGHT_SCALE // len(keys)
    return weights


def rank(query: Query, candidates: Iterable[Candidate], *, limit: int) -> list[Hit]:
    """The best LIMIT hits, by: query terms found whole (all terms first), then the share of the
    terms' grams found (so "无盘蓝屏" typed without a space still finds 无盘…蓝屏) with grams in the
    title counted twice (title matches above body matches), then the index score; ties by id, for
    a stable order. Hits holding less than half the best hit's share are dropped as noise. The
    score shown is monotonic in that order."""
    scored = []
    for c in candidates:
        title = normalize(c.title)
        body = c.body_folded if c.body_folded is not None else normalize(c.body_text)
        matched = in_title = 0
        cover = title_cover = 0.0
        for term in query.terms:
            whole_title = term in title
            if whole_title or term in body:
                matched += 1
                in_title += whole_title
                cover += 1
                title_cover += whole_title
            else:
                anywhere, titled = _coverage(term, title, body)
                cover += anywhere
                title_cover += titled
        if cover == 0:
            continue
        # A title gram counts twice: in the title it says what the article is about, in a long body
        # it may be a passing mention.
        share = round(cover + title_cover, 3)
        scored.append((matched, share, c.index_score, -c.id, in_title, c))
    if not scored:
        return []
    best_share = max(s[1] for s in scored)
    scored = [s for s in scored if s[1] * 2 >= best_share]
    scored.sort(key=lambda s: s[:4], reverse=True)
    hits = []
    for matched, share, index_score, _neg_id, in_title, c in scored[:limit]:
        score = matched * 1000 + share * 100 + min(index_score, 99.0) / 10
        hits.append(Hit(id=c.id, title=c.title, snippet=snippet(c.body_text, query.terms, folded=c.body_folded),
                        score=round(score, 2),
                        matched=matched, in_title=in_title))
    return hits


def snippet(text: str, query_terms: Sequence[str], *, width: int = 80, folded: str | None = None) -> str:
    """About WIDTH characters of TEXT around the first place a query term occurs (its start when
    none does), on one line, with … where it was cut. FOLDED: normalize(TEXT), if known."""
    flat = " ".join(text.split())
    folded = " ".join(folded.split()) if folded is not None else normalize(flat)
    if len(folded) != len(flat):
        # NFKC changed the length (℠ → sm, ㎏ → kg): fold character by character to keep positions.
        folded = "".join(normalize(ch)[:1] or " " for ch in flat)
    found = [p for p in (folded.find(t) for t in query_terms) if p >= 0]
    start = max(min(found) - width // 4, 0) if found else 0
    end = min(start + width, len(flat))
    start = max(min(start, end - width), 0)
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")
