from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shouhou.notify.events import EVENTS, choices
from shouhou.notify.models import Channel, FailingAddress, Message, MessageTemplate, Preference, Rule
from shouhou.notify.render import preview, shipped_source


class RuleForm(forms.ModelForm):
    event = forms.ChoiceField(label=_("事件"), choices=choices)

    class Meta:
        model = Rule
        fields = ["event", "audience", "role", "channel", "inbox", "email", "active"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("event", "audience", "role", "channel", "inbox", "email", "active")
    list_filter = ("audience", "active", "event")
    list_editable = ("inbox", "email", "active")


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "language", "active")
    list_filter = ("kind", "active")


class TemplateForm(forms.ModelForm):
    event = forms.ChoiceField(label=_("事件"), choices=choices)

    class Meta:
        model = MessageTemplate
        fields = ["event", "language", "subject", "text", "html"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        from django.template import TemplateSyntaxError

        candidate = MessageTemplate(**{k: data.get(k, "") for k in ("event", "language", "subject", "text", "html")})
        try:
            preview(candidate, EVENTS[str(data.get("event"))].sample if data.get("event") in EVENTS else {})
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(_("模板语法错误：%(error)s") % {"error": exc}) from exc
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Admins' versions of the shipped templates, with a preview rendered from the event's sample data."""

    form = TemplateForm
    list_display = ("event", "language", "subject", "updated_at")
    list_filter = ("language",)
    readonly_fields = ("preview",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str]:
        """?event=rma.quote&language=en starts from the shipped template, to edit rather than retype."""
        initial = super().get_changeform_initial_data(request)
        event, language = request.GET.get("event", ""), request.GET.get("language", "zh-hans")
        if event in EVENTS:
            initial.update(shipped_source(event, language))
        return initial

    @admin.display(description=_("预览（示例数据）"))
    def preview(self, obj: MessageTemplate) -> str:
        if not obj or not obj.pk:
            return _("保存后显示预览。")
        sample = EVENTS[obj.event].sample if obj.event in EVENTS else {}
        rendered = preview(obj, sample)
        return format_html('<div class="notify-preview"><p><strong>{}</strong></p><pre>{}</pre><div>{}</div></div>',
                           rendered.subject, rendered.text, rendered.html)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "dealer", "language")


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "reason", "since")
    search_fields = ("address",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "transport", "address", "state", "tries", "last_error")
    list_filter = ("state", "transport")
    search_fields = ("address", "message_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the outbox page resends; nothing else edits a message
