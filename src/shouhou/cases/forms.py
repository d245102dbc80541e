"""Forms of the case pages: one per event, the intake screen, triage, attachments.

Forms parse and label; the rules are the domain's and the services'. Each event form returns
the fields of its event as the API would take them (`fields_for_event`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhou.cases.models import (
    AttachmentKind,
    CaseChannel,
    CaseType,
    DiagnosticKind,
    ResolutionCategory,
    TriageItem,
    TriageResult,
)
from shouhou.core.models import User
from shouhou.domain import cases as domain
from shouhou.notify.models import ROBOT_KINDS, Channel

EVENT_LABELS = {
    "accept": _("受理"),
    "hand_over": _("转交"),
    "note": _("备注"),
    "log_call": _("记录通话"),
    "forward_to_dealer": _("转代理商"),
    "wait": _("等待"),
    "resolve": _("解决"),
    "close": _("关闭"),
    "reopen": _("重新打开"),
}

VERB_LABELS = {
    "case.opened": _("创建案例"),
    "case.attachment_added": _("上传附件"),
    "case.triaged": _("排查记录"),
    "case.diagnostic": _("诊断记录"),
    "case.rated": _("满意度评价"),
    "mail.case_opened": _("由邮件创建"),
    "mail.reply_received": _("收到邮件"),
    **{f"case.{event}": label for event, label in EVENT_LABELS.items()},
}


class Styled(forms.Form):
    """Bootstrap's small controls on every widget, as on the service-order pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class EventForm(Styled):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def fields_for_event(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


def _staff() -> Any:
    return User.objects.filter(is_active=True, dealer__isnull=True, groups__isnull=False).distinct().order_by(
        "username")


class HandOverForm(EventForm):
    to = forms.ModelChoiceField(label=_("转交给"), queryset=User.objects.none())
    note = forms.CharField(label=_("转交说明"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _staff()  # type: ignore[attr-defined]

    def fields_for_event(self) -> dict[str, Any]:
        return {"to": self.cleaned_data["to"].pk, "note": self.cleaned_data["note"]}


class NoteForm(EventForm):
    kind = forms.ChoiceField(label=_("类别"), choices=[("note", _("备注")), ("qq", _("QQ 聊天摘录"))], initial="note",
                             required=False)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))


class LogCallForm(EventForm):
    minutes = forms.IntegerField(label=_("通话分钟数"), min_value=1, max_value=domain.MAX_CALL_MINUTES)
    text = forms.CharField(label=_("通话内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ForwardForm(EventForm):
    note = forms.CharField(label=_("给代理商的说明"), widget=forms.Textarea(attrs={"rows": 2}))


class WaitForm(EventForm):
    on = forms.ChoiceField(label=_("等待"), choices=[("customer", _("客户")), ("dealer", _("代理商"))])


class ResolveForm(EventForm):
    category = forms.ChoiceField(label=_("解决类别"), choices=ResolutionCategory.choices)
    resolution = forms.CharField(label=_("解决方案"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(EventForm):
    reason = forms.CharField(label=_("重新打开原因"))


EVENT_FORMS: dict[str, type[EventForm]] = {
    "accept": EventForm,
    "hand_over": HandOverForm,
    "note": NoteForm,
    "log_call": LogCallForm,
    "forward_to_dealer": ForwardForm,
    "wait": WaitForm,
    "resolve": ResolveForm,
    "close": EventForm,
    "reopen": ReopenForm,
}


class IntakeForm(Styled):
    """The hotline screen: what the operator types while the caller talks."""

    phone = forms.CharField(label=_("来电号码"), max_length=50, required=False)
    name = forms.CharField(label=_("报告人"), max_length=100, required=False)
    qq = forms.CharField(label=_("QQ"), max_length=20, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    serial = forms.CharField(label=_("序列号"), max_length=64, required=False)
    region = forms.CharField(label=_("购买地区代码"), max_length=6, required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=CaseChannel.choices, initial=CaseChannel.HOTLINE)
    case_type = forms.ChoiceField(label=_("类型"), choices=[c for c in CaseType.choices if c[0] != "complaint"],
                                  initial=CaseType.FAULT)
    # A call put through to a team (按 3 号键接入技术支持中心): `/intake?team=support` preselects it. Placed
    # before the subject, so that from the description Tab still reaches the submit button.
    team = forms.ChoiceField(label=_("转入团队"), required=False)
    subject = forms.CharField(label=_("主题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # Set by choosing one of the FAQ suggestions (Alt+1…3, or its button).
    faq_article = forms.IntegerField(required=False, widget=forms.HiddenInput)


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shouhou.cases.models import Team

        self.fields["team"].choices = [("", _("不转团队（由我受理）")),  # type: ignore[attr-defined]
                                       *Team.objects.filter(active=True).values_list("key", "name")]


class TeamForm(Styled):
    key = forms.SlugField(label=_("代号"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=50)
    members = forms.ModelMultipleChoiceField(label=_("成员"), queryset=User.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    first_response_minutes = forms.IntegerField(label=_("首次响应时限（工作分钟）"), min_value=0, max_value=100000,
                                                required=False, help_text=_("留空时按案例类型的时限。"))
    resolution_working_days = forms.IntegerField(label=_("解决时限（工作日）"), min_value=0, max_value=365,
                                                 required=False, help_text=_("留空时按案例类型的时限。"))
    robot = forms.ModelChoiceField(label=_("团队群机器人"), queryset=Channel.objects.none(), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args: Any, instance_team: Any = None, **kwargs: Any) -> None:
        if instance_team is not None and not args:
            t = instance_team
            kwargs["initial"] = {"key": t.key, "name": t.name, "members": list(t.members.all()),
                                 "first_response_minutes": t.first_response_minutes,
                                 "resolution_working_days": t.resolution_working_days,
                                 "robot": t.robot, "active": t.active}
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _staff()  # type: ignore[attr-defined]
        self.fields["robot"].queryset = Channel.objects.filter(kind__in=sorted(ROBOT_KINDS))  # type: ignore[attr-defined]


NARROW = forms.Select(attrs={"class": "form-select form-select-sm w-auto"})


class AttachmentForm(Styled):
    kind = forms.ChoiceField(label=_("类别"), choices=AttachmentKind.choices, widget=NARROW)
    file = forms.FileField(label=_("文件"))


class DiagnosticForm(Styled):
    kind = forms.ChoiceField(label=_("类别"), choices=DiagnosticKind.choices, widget=NARROW)
    text = forms.CharField(label=_("记录"), widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintForm(Styled):
    subject = forms.CharField(label=_("投诉主题"), max_length=200)
    description = forms.CharField(label=_("投诉内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def triage_results(data: Any) -> dict[str, tuple[str, str]]:
    """The checklist as posted: `<item>` result and `<item>_note` per item."""
    return {item: (data.get(item, TriageResult.UNCHECKED), data.get(f"{item}_note", "").strip())
            for item in TriageItem.values if item in data}
