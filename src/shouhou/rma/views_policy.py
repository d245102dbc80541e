"""Pages of the policy texts: the public page, the dealer portal's copy, and the managers' editor
with a preview, the version history and the change between two versions."""

from __future__ import annotations

import difflib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhou.core.access import role_required
from shouhou.core.roles import Role
from shouhou.domain.errors import Invalid
from shouhou.domain.policy import SECTION_KEYS, format_checklist
from shouhou.faq.rendering import render as render_markdown
from shouhou.rma import services_policy
from shouhou.rma.models import PolicyVersion
from shouhou.rma.policy import SECTION_TITLES, checklist, clause_label, policy_current, policy_version_get, sections
from shouhou.workdays.selectors import service_hours_text

editor_required = role_required(*services_policy.EDITORS)
dealer_required = role_required(Role.DEALER)


def _version_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("v", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _rendered(version: PolicyVersion) -> dict[str, Any]:
    return {
        "version": version,
        "sections": [{**s, "html": render_markdown(s["body"])} for s in sections(version)],
        "checklist": [{"item": item, "clause": clause_label(item)} for item in checklist(version)],
    }


def _reading(request: HttpRequest, template: str) -> HttpResponse:
    version = policy_version_get(_version_param(request))
    current = policy_current()
    return render(request, template, {**_rendered(version), "current": current,
                                      "hotline": settings.HOTLINE, "service_hours": service_hours_text(),
                                      "outdated": current is not None and current.version != version.version})


@require_GET
def policy_public(request: HttpRequest) -> HttpResponse:
    """The policy texts for everybody (end users, dealers from a mail link); `?v=N` an older version."""
    return _reading(request, "rma/policy_public.html")


@dealer_required
@require_GET
def portal_policy(request: HttpRequest) -> HttpResponse:
    """The same texts inside the dealer portal."""
    return _reading(request, "rma/policy_portal.html")


# --- managers ------------------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    service_policy = forms.CharField(label=SECTION_TITLES["service_policy"], widget=forms.Textarea(attrs={"rows": 14}))
    replacement_terms = forms.CharField(label=SECTION_TITLES["replacement_terms"],
                                        widget=forms.Textarea(attrs={"rows": 10}))
    free_repair_scope = forms.CharField(label=SECTION_TITLES["free_repair_scope"],
                                        widget=forms.Textarea(attrs={"rows": 10}))
    checklist = forms.CharField(
        label=gettext_lazy("检测条款清单"), widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy("每行一项：损坏类别 | 章节 条款号 | 检查内容。损坏类别：physical 物理损坏、liquid 进液、"
                               "burn 烧毁、tampered 拆修、missing_parts 配件缺失、cosmetic 外观；章节：service_policy、"
                               "replacement_terms、free_repair_scope。"))
    note = forms.CharField(label=gettext_lazy("修改说明"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            textarea = isinstance(field.widget, forms.Textarea)
            field.widget.attrs["class"] = "form-control font-monospace" if textarea else "form-control"


@editor_required
@require_GET
def policy_manage(request: HttpRequest) -> HttpResponse:
    """Every version, newest first, with who changed what and why."""
    versions = list(PolicyVersion.objects.select_related("author").order_by("-version"))
    return render(request, "rma/policy_manage.html", {"versions": versions})


@editor_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest) -> HttpResponse:
    """Edit the texts in force; saving makes the next version."""
    current = policy_current()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {key: getattr(current, key) for key in SECTION_KEYS}
        initial["checklist"] = format_checklist(checklist(current))
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services_policy.policy_edit(
                actor=request.user,  # type: ignore[arg-type]
                texts={key: data[key] for key in SECTION_KEYS}, checklist=data["checklist"], note=data["note"])
        except Invalid as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, str(exc))
        else:
            messages.success(request, _("已保存为第 %(n)s 版，即时生效。") % {"n": version.version})
            return redirect("policy_version", version=version.version)
    previews = [{"key": key, "title": SECTION_TITLES[key],
                 "html": render_markdown(str(form[key].value() or ""))} for key in SECTION_KEYS]
    return render(request, "rma/policy_edit.html", {"form": form, "current": current, "previews": previews},
                  status=422 if form.errors else 200)


@editor_required
@require_POST
def policy_preview(request: HttpRequest) -> HttpResponse:
    """One section as readers will see it (htmx, while editing)."""
    key = request.POST.get("section", "")
    if key not in SECTION_KEYS:
        key = SECTION_KEYS[0]
    preview = {"key": key, "title": SECTION_TITLES[key], "html": render_markdown(request.POST.get(key, ""))}
    return render(request, "rma/policy_edit.html#preview", {"preview": preview})


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Lines of a unified diff as (kind, text): kind is add, del, hunk or same."""
    rows: list[tuple[str, str]] = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        rows.append((kind, line[1:] if kind in ("add", "del", "same") else "…"))
    return rows


@editor_required
@require_GET
def policy_version(request: HttpRequest, version: int) -> HttpResponse:
    """One version: what changed against the version before it (or `?against=N`), and its texts."""
    shown = policy_version_get(version)
    raw = request.GET.get("against", "").strip()
    against_number = int(raw) if raw.isdigit() and len(raw) < 10 else None
    previous = (PolicyVersion.objects.filter(version=against_number).first() if against_number is not None else
                PolicyVersion.objects.filter(version__lt=shown.version).order_by("-version").first())
    changes = []
    for key in (*SECTION_KEYS, "checklist"):
        if key == "checklist":
            new = format_checklist(checklist(shown))
            old = format_checklist(checklist(previous)) if previous else ""
            title = _("检测条款清单")
        else:
            new, old, title = getattr(shown, key), getattr(previous, key) if previous else "", SECTION_TITLES[key]
        changes.append({"key": key, "title": title, "rows": _diff(old, new), "changed": old != new})
    return render(request, "rma/policy_version.html", {**_rendered(shown), "previous": previous, "changes": changes,
                                                        "versions": PolicyVersion.objects.order_by("-version")})
