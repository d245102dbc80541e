"""Writes of the policy texts: every edit is a new version (never an update in place).

One transaction and one audit row per edit, like every service.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shouhou.core.models import User
from shouhou.core.roles import Role
from shouhou.core.services import audit_record
from shouhou.domain.errors import Forbidden, Invalid
from shouhou.domain.policy import SECTION_KEYS, format_checklist, parse_checklist
from shouhou.rma.models import PolicyVersion
from shouhou.rma.policy import SECTION_TITLES

EDITORS = (Role.MANAGER, Role.ADMIN)
MAX_BODY = 50_000
MAX_NOTE = 200

_CHECKLIST_PROBLEMS = {
    "format": _lazy("每行应为“损坏类别 | 章节 条款号 | 检查内容”"),
    "unknown_damage": _lazy("未知的损坏类别“%(value)s”"),
    "duplicate_damage": _lazy("损坏类别“%(value)s”重复"),
    "unknown_section": _lazy("未知的章节“%(value)s”"),
    "clause_missing": _lazy("缺少条款号"),
    "text_missing": _lazy("缺少检查内容"),
    "too_long": _lazy("内容过长"),
    "empty": _lazy("检测条款清单至少需要一项"),
}


def checklist_message(exc: Invalid) -> str:
    """A checklist problem in the manager's language, naming the line."""
    text = str(_CHECKLIST_PROBLEMS.get(exc.reason, exc.reason)) % {"value": exc.extra.get("value", "")}
    line = exc.extra.get("line") or 0
    return _("检测条款清单第 %(line)s 行：%(problem)s") % {"line": line, "problem": text} if line else text


@transaction.atomic
def policy_edit(*, actor: User, texts: dict[str, str], checklist: str, note: str,
                now: datetime | None = None) -> PolicyVersion:
    """Save the policy texts and checklist as the next version, in force from now.

    TEXTS maps each section key to its Markdown. Raises Forbidden (not a manager), Invalid (a
    section empty or too long, no change note, a bad checklist line, or nothing changed).
    """
    if not actor.has_role(*EDITORS):
        raise Forbidden(_("只有经理可以修改政策文本。"))
    # Browsers send textareas with CRLF line ends: store LF, so an untouched section stays unchanged.
    bodies = {key: (texts.get(key) or "").replace("\r\n", "\n").strip() for key in SECTION_KEYS}
    for key, body in bodies.items():
        if not body:
            raise Invalid(_("请填写“%(title)s”。") % {"title": SECTION_TITLES[key]}, reason="section_empty", field=key)
        if len(body) > MAX_BODY:
            raise Invalid(_("“%(title)s”超过 %(max)s 字。") % {"title": SECTION_TITLES[key], "max": MAX_BODY},
                          reason="section_too_long", field=key)
    note = (note or "").strip()
    if not note:
        raise Invalid(_("请填写修改说明。"), reason="note_missing", field="note")
    if len(note) > MAX_NOTE:
        raise Invalid(_("修改说明不能超过 %(max)s 字。") % {"max": MAX_NOTE}, reason="note_too_long", field="note")
    try:
        items = parse_checklist(checklist)
    except Invalid as exc:
        raise Invalid(checklist_message(exc), reason="checklist_invalid", field="checklist",
                      line=exc.extra.get("line", 0)) from None
    # Lock the version in force so that two managers saving at once get consecutive numbers.
    current = PolicyVersion.objects.select_for_update().order_by("-version").first()
    changed = [key for key in SECTION_KEYS if current is None or getattr(current, key).strip() != bodies[key]]
    checklist_data = [item.as_dict() for item in items]
    if current is not None and current.checklist != checklist_data:
        changed.append("checklist")
    if current is not None and not changed:
        raise Invalid(_("内容没有变化，未生成新版本。"), reason="unchanged", field="note")
    version = PolicyVersion.objects.create(
        version=(current.version if current else 0) + 1, checklist=checklist_data, note=note, author=actor,
        created_at=now or timezone.now(), **bodies)
    audit_record(version, "policy.edited", actor=actor,
                 data={"version": version.version, "note": note, "changed": changed,
                       "checklist": format_checklist(items)})
    return version
