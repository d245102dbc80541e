"""Where the RMA process takes its calendar, its deadlines and its policy texts from.

One function each, so that swapping the source (stored policy numbers, another calendar) is a
one-line change here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shouhou.domain import rma
from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.errors import NotFound
from shouhou.domain.policy import SECTION_KEYS, ChecklistItem

if TYPE_CHECKING:
    from shouhou.rma.models import PolicyVersion


def work_calendar() -> WorkCalendar:
    """The product's working-day calendar (stored configuration over the shipped official data)."""
    from shouhou.workdays.selectors import calendar

    return calendar()


def rma_policy() -> rma.RmaPolicy:
    """The deadlines of the default policy pack (DESIGN §2)."""
    return rma.DEFAULT_POLICY


# --- the policy texts -------------------------------------------------------------------------------

SECTION_TITLES = {
    "service_policy": _lazy("售后服务政策"),
    "replacement_terms": _lazy("包换服务条款"),
    "free_repair_scope": _lazy("免费维修范围"),
}


def policy_current() -> PolicyVersion | None:
    """The policy texts in force: the newest version (None only before migrations loaded one)."""
    from shouhou.rma.models import PolicyVersion

    return PolicyVersion.objects.order_by("-version").first()


def policy_version_get(number: int | None) -> PolicyVersion:
    """Version NUMBER (default: the one in force); raises NotFound."""
    from shouhou.rma.models import PolicyVersion

    found = policy_current() if number is None else PolicyVersion.objects.filter(version=number).first()
    if found is None:
        raise NotFound(_("没有找到该版本的政策文本。"))
    return found


def sections(version: PolicyVersion) -> list[dict[str, str]]:
    """The three texts of VERSION in order: key, title, Markdown body."""
    return [{"key": key, "title": str(SECTION_TITLES[key]), "body": getattr(version, key)} for key in SECTION_KEYS]


def checklist(version: PolicyVersion | None) -> tuple[ChecklistItem, ...]:
    """The inspection's terms checklist of VERSION (the one in force when None)."""
    version = version or policy_current()
    if version is None:
        return ()
    return tuple(ChecklistItem.from_dict(item) for item in version.checklist)


def clause_label(item: ChecklistItem) -> str:
    """"包换服务条款 第 3 条": where a checklist item comes from."""
    return _("%(section)s 第 %(clause)s 条") % {"section": SECTION_TITLES[item.section], "clause": item.clause}


def damage_labels(version: PolicyVersion | None = None) -> dict[str, str]:
    """What each damage category is called in the checklist of VERSION (the one in force)."""
    return {str(item.damage): item.text for item in checklist(version)}
