"""The terms checklist of the policy pack: parsed from one line per item, refused with the line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shouhou.domain.errors import Invalid
from shouhou.domain.policy import ChecklistItem, format_checklist, parse_checklist
from shouhou.domain.rma import Damage


def test_a_checklist_line_names_damage_clause_and_text() -> None:
    items = parse_checklist("liquid | replacement_terms 3 | 无进水、受潮痕迹\n\nburn｜free_repair_scope 2｜无烧毁")
    assert items == (ChecklistItem(Damage.LIQUID, "replacement_terms", "3", "无进水、受潮痕迹"),
                     ChecklistItem(Damage.BURN, "free_repair_scope", "2", "无烧毁"))


@pytest.mark.parametrize(("source", "reason", "line"), [
    ("liquid | replacement_terms 3", "format", 1),
    ("physical | replacement_terms 1 | a\nwet | replacement_terms 3 | b", "unknown_damage", 2),
    ("liquid | replacement_terms 3 | a\nliquid | replacement_terms 4 | b", "duplicate_damage", 2),
    ("liquid | warranty 3 | a", "unknown_section", 1),
    ("liquid | replacement_terms | a", "clause_missing", 1),
    ("liquid | replacement_terms 3 | ", "text_missing", 1),
    ("\n  \n", "empty", 0),
])
def test_a_bad_checklist_is_refused_naming_the_line(source: str, reason: str, line: int) -> None:
    with pytest.raises(Invalid) as caught:
        parse_checklist(source)
    assert caught.value.reason == reason
    assert caught.value.extra["line"] == line


_item = st.builds(ChecklistItem, damage=st.sampled_from(list(Damage)),
                  section=st.sampled_from(["service_policy", "replacement_terms", "free_repair_scope"]),
                  clause=st.text("0123456789.", min_size=1, max_size=5),
                  text=st.text("无进水烧毁物理损坏 abc", min_size=1, max_size=30).map(str.strip).filter(bool))


@settings(deadline=None, max_examples=60)
@given(st.lists(_item, min_size=1, max_size=6, unique_by=lambda i: i.damage))
def test_formatting_and_parsing_a_checklist_round_trips(items: list[ChecklistItem]) -> None:
    assert parse_checklist(format_checklist(items)) == tuple(items)
