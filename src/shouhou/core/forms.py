"""Forms of the staff administration pages (users, API tokens) and the audit log filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhou.core.models import User
from shouhou.core.roles import Role
from shouhou.registry.models import Dealer

ROLE_CHOICES = [("", gettext_lazy("请选择角色")), *Role.choices]


def _style(form: forms.Form) -> None:
    """Bootstrap's small controls, as on the other pages."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UserForm(forms.Form):
    username = forms.RegexField(label=gettext_lazy("用户名"), max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字和 @ . + - _。")})
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=100, required=False)
    email = forms.EmailField(label=gettext_lazy("邮箱"), required=False,
                             help_text=gettext_lazy("重置密码链接发到这个地址。"))
    phone = forms.CharField(label=gettext_lazy("电话"), max_length=50, required=False)
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=ROLE_CHOICES)
    dealer = forms.ModelChoiceField(label=gettext_lazy("所属代理商"), required=False,
                                    queryset=Dealer.objects.order_by("code"),
                                    empty_label=gettext_lazy("（不绑定：员工账号）"),
                                    help_text=gettext_lazy("仅代理商账号填写：该账号只能看到此代理商的数据。"))

    def __init__(self, *args: Any, instance: User | None = None, actor: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.actor = actor
        _style(self)
        if instance is not None:
            self.fields["username"].disabled = True
            self.fields["username"].required = False

    def clean_username(self) -> str:
        if self.instance is not None:
            return self.instance.username
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("用户名 %(name)s 已存在。") % {"name": username})
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role, dealer = data.get("role"), data.get("dealer")
        if role == Role.DEALER and dealer is None:
            self.add_error("dealer", _("代理商账号必须指定所属代理商。"))
        if role and role != Role.DEALER and dealer is not None:
            self.add_error("dealer", _("只有代理商账号可以指定所属代理商。"))
        if (self.instance is not None and self.actor is not None and self.instance.pk == self.actor.pk
                and role and role != Role.ADMIN and self.instance.has_role(Role.ADMIN)):
            self.add_error("role", _("不能取消自己的管理员角色。"))
        return data


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("用户"), empty_label=gettext_lazy("选择用户"),
                                  queryset=User.objects.filter(is_active=True).order_by("username"))
    name = forms.CharField(label=gettext_lazy("用途"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "代理商 ERP 对接"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("操作人"), required=False, max_length=150)
    verb = forms.CharField(label=gettext_lazy("动作"), required=False, max_length=60)
    type = forms.CharField(label=gettext_lazy("对象类型"), required=False, max_length=50)
    object = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=64)
    since = forms.DateField(label=gettext_lazy("起始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("截止日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data
