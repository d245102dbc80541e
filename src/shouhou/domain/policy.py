"""The policy texts of the policy pack and the inspection's terms checklist (DESIGN §2). No Django.

The pack carries three Markdown sections (售后服务政策, 包换服务条款, 免费维修范围) and a checklist:
one item per damage category the inspection records, each naming the clause it applies. The
checklist is written one item a line, ``damage | section clause | text``, e.g.
``liquid | replacement_terms 3 | 无进水、受潮、腐蚀痕迹``, so a manager edits it beside the texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shouhou.domain.errors import Invalid
from shouhou.domain.rma import Damage

__all__ = ["SECTION_KEYS", "ChecklistItem", "format_checklist", "parse_checklist"]

SECTION_KEYS: Final = ("service_policy", "replacement_terms", "free_repair_scope")
MAX_ITEM_TEXT: Final = 200
MAX_CLAUSE: Final = 20


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One check of the inspection: the damage category it records and the clause it applies."""

    damage: Damage
    section: str
    clause: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"damage": str(self.damage), "section": self.section, "clause": self.clause, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ChecklistItem:
        return cls(damage=Damage(data["damage"]), section=data["section"], clause=data["clause"], text=data["text"])


def parse_checklist(source: str) -> tuple[ChecklistItem, ...]:
    """Items from SOURCE, one a line (blank lines skipped). Raises Invalid naming the line (`line`)
    and the problem (`reason`: format, unknown_damage, duplicate_damage, unknown_section,
    clause_missing, text_missing, too_long, empty)."""
    items: list[ChecklistItem] = []
    seen: set[Damage] = set()
    for number, raw in enumerate((source or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.replace("｜", "|").split("|")]
        if len(parts) != 3:
            raise Invalid(f"line {number}: expected 'damage | section clause | text'", reason="format", line=number)
        damage_key, reference, text = parts
        try:
            damage = Damage(damage_key)
        except ValueError:
            raise Invalid(f"line {number}: unknown damage {damage_key!r}", reason="unknown_damage", line=number,
                          value=damage_key) from None
        if damage in seen:
            raise Invalid(f"line {number}: {damage} twice", reason="duplicate_damage", line=number, value=damage_key)
        section, _, clause = reference.partition(" ")
        if section not in SECTION_KEYS:
            raise Invalid(f"line {number}: unknown section {section!r}", reason="unknown_section", line=number,
                          value=section)
        clause = clause.strip()
        if not clause:
            raise Invalid(f"line {number}: the clause is missing", reason="clause_missing", line=number)
        if not text:
            raise Invalid(f"line {number}: the text is missing", reason="text_missing", line=number)
        if len(text) > MAX_ITEM_TEXT or len(clause) > MAX_CLAUSE:
            raise Invalid(f"line {number}: too long", reason="too_long", line=number)
        seen.add(damage)
        items.append(ChecklistItem(damage=damage, section=section, clause=clause, text=text))
    if not items:
        raise Invalid("the checklist has no items", reason="empty", line=0)
    return tuple(items)


def format_checklist(items: tuple[ChecklistItem, ...] | list[ChecklistItem]) -> str:
    """The editable text of ITEMS (the inverse of `parse_checklist`)."""
    return "\n".join(f"{i.damage} | {i.section} {i.clause} | {i.text}" for i in items)
