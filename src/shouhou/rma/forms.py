"""Forms of the RMA pages: the service form (header + a formset of unit lines) and one small
form per line event. Messages are Chinese and name the line (`第 2 行：请填写故障描述`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shouhou.domain import rma
from shouhou.domain.errors import Invalid
from shouhou.registry.models import Dealer, Unit, UnitStatus, normalize_serial
from shouhou.rma.models import LinePath
from shouhou.rma.policy import checklist, clause_label
from shouhou.rma.service_form import MAX_FORM_LINES, describe_with_row, topology_kind, validate_service_form

MAX_LINES = min(50, MAX_FORM_LINES)  # rows of the web form; the xlsx template takes more
BLANK_LINES = 3

EVENT_LABELS: dict[str, Any] = {
    "approve": pgettext_lazy("action", "同意返厂检测"),
    "approve_advance": pgettext_lazy("action", "同意提前换货"),
    "request_info": gettext_lazy("要求补充资料"),
    "resubmit": gettext_lazy("重新提交"),
    "reject": pgettext_lazy("action", "拒绝"),
    "ship_to_centre": gettext_lazy("寄往售后中心"),
    "receive": gettext_lazy("签收"),
    "inspect": gettext_lazy("检测"),
    "send_quote": gettext_lazy("发送报价"),
    "confirm_quote": gettext_lazy("确认报价"),
    "decline_quote": gettext_lazy("拒绝报价"),
    "ship_replacement": gettext_lazy("发出换货新机"),
    "ship_repaired": gettext_lazy("发出修复件"),
    "ship_back": gettext_lazy("原样寄回"),
    "confirm_delivery": gettext_lazy("确认收货"),
    "complete_repair": gettext_lazy("完成维修"),
    "charge": gettext_lazy("追收费用"),
    "close": gettext_lazy("关闭"),
    "cancel": gettext_lazy("取消"),
}

DAMAGE_CHOICES = [
    ("physical", gettext_lazy("物理损坏")),
    ("liquid", gettext_lazy("进液")),
    ("burn", gettext_lazy("烧毁或雷击")),
    ("tampered", gettext_lazy("封条破损或私自维修")),
    ("missing_parts", gettext_lazy("配件缺失")),
    ("cosmetic", gettext_lazy("外观")),
]
DAMAGE_LABELS = dict(DAMAGE_CHOICES)


# --- the service form -----------------------------------------------------------------------------


class OrderForm(forms.Form):
    """The form's header; `dealer` only for staff entering a form on a dealer's behalf."""

    dealer = forms.ModelChoiceField(label=gettext_lazy("代理商"), queryset=Dealer.objects.none(),
                                    to_field_name="code", required=False)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=50, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("联系邮箱"), required=False,
                                     error_messages={"invalid": gettext_lazy("请填写有效的邮箱地址")})
    return_address = forms.CharField(label=gettext_lazy("回寄地址"), widget=forms.Textarea(attrs={"rows": 2}),
                                     required=False)
    case_number = forms.CharField(label=gettext_lazy("服务案例号"), max_length=32, required=False)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["dealer"].queryset = Dealer.objects.filter(active=True).order_by("code")
            self.fields["dealer"].error_messages["invalid_choice"] = _("请选择代理商")
        else:
            del self.fields["dealer"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def missing(self) -> list[str]:
        """What a submission lacks, in Chinese (drafts may lack anything)."""
        data = self.cleaned_data
        errors = []
        if "dealer" in self.fields and not data.get("dealer"):
            errors.append(_("请选择代理商"))
        for name, message in (("contact_name", _("请填写联系人")), ("contact_phone", _("请填写联系电话")),
                              ("return_address", _("请填写回寄地址"))):
            if not (data.get(name) or "").strip():
                errors.append(message)
        return errors


class LineForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("序列号"), max_length=64, required=False)
    fault = forms.CharField(label=gettext_lazy("故障描述"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    topology = forms.FileField(
        label=gettext_lazy("配置拓扑图"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}))
    advance_requested = forms.BooleanField(label=gettext_lazy("申请提前换货"), required=False)
    advance_reason = forms.CharField(label=gettext_lazy("提前换货理由"), max_length=2000, required=False)
    # A diagram uploaded with a refused submit of this form (`rma.topology_uploads`).
    topology_token = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    topology_remove = forms.BooleanField(label=gettext_lazy("移除"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_upload: Any = None
        for name, field in self.fields.items():
            css = ("form-check-input" if name in ("advance_requested", "topology_remove")
                   else "form-control form-control-sm")
            field.widget.attrs.setdefault("class", css)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(((data.get("serial") or "").strip(), (data.get("fault") or "").strip(),
                        data.get("topology"), data.get("advance_requested"),
                        (data.get("advance_reason") or "").strip()))


LineFormSet = forms.formset_factory(LineForm, extra=BLANK_LINES, max_num=MAX_LINES, absolute_max=MAX_LINES)


def line_formset(data: Any = None, files: Any = None, *, initial: list[dict[str, Any]] | None = None) -> Any:
    return LineFormSet(data, files, prefix="lines", initial=initial)


def lines_of(formset: Any, *, dealer: Dealer | None, kept_topology: dict[str, Any], submit: bool) -> tuple[
        list[dict[str, Any]], list[str]]:
    """The non-blank lines of FORMSET as service input, and (when SUBMIT) what each one lacks.

    Rows are numbered as the dealer sees them (the formset's order). A serial that is unknown or
    another dealer's reads the same: `第 1 行：序列号 X123 不存在`. KEPT_TOPOLOGY maps a serial to
    the diagram a saved draft already has for it.
    """
    rows: list[tuple[int, dict[str, Any]]] = []
    for row, form in enumerate(formset.forms, start=1):
        if form.is_valid() and not form.is_blank():
            rows.append((row, form.cleaned_data))
    lines: list[dict[str, Any]] = []
    for row, data in rows:
        lines.append({"row": row, "serial": normalize_serial(data.get("serial") or ""),
                      "fault": (data.get("fault") or "").strip(),
                      "advance_requested": bool(data.get("advance_requested")),
                      "advance_reason": (data.get("advance_reason") or "").strip(),
                      "topology": data.get("topology") or None})  # None keeps a draft's diagram (by serial)
    errors: list[str] = []
    if dealer is not None and (rows or submit):
        # The one service-form check; a draft only has its files checked.
        problems = validate_service_form(dealer=dealer, lines=lines, reported_on=None, topology_required=submit,
                                         stored_topologies=frozenset(kept_topology), header=False)
        if not submit:
            problems = [p for p in problems if p.field == "topology" and p.code != "required"]
        errors = [describe_with_row(p) for p in problems]
        bad_files = {p.row for p in problems if p.field == "topology"}
        for line in lines:
            if line["row"] in bad_files:
                line["topology"] = None
    for line in lines:
        del line["row"]
    return lines, errors


# --- line events ----------------------------------------------------------------------------------


class EventForm(forms.Form):
    """Base of the event forms: the line's version travels in a hidden field (stale forms → 409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, line: Any = None, **kwargs: Any) -> None:
        self.line = line
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(widget, forms.Select)
                                        else "form-control form-control-sm")

    def fields_for_event(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _text(label: str, *, required: bool = True, textarea: bool = False, max_length: int = 2000) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 2}) if textarea else forms.TextInput
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget,
                           error_messages={"required": _("请填写%(label)s") % {"label": label}})


class ReasonForm(EventForm):
    reason = _text(gettext_lazy("原因"), textarea=True)


class MessageForm(EventForm):
    message = _text(gettext_lazy("需要补充的资料"), textarea=True)


class ShipmentForm(EventForm):
    carrier = _text(gettext_lazy("承运商"), max_length=100)
    tracking = _text(gettext_lazy("运单号"), max_length=100)


class ShipReplacementForm(ShipmentForm):
    replacement_serial = _text(gettext_lazy("新机序列号"), max_length=64)
    other_model_reason = _text(gettext_lazy("换用其他型号的理由（型号不同时必填）"), required=False)

    def clean_replacement_serial(self) -> str:
        serial = normalize_serial(self.cleaned_data["replacement_serial"])
        if not Unit.objects.filter(serial=serial, status=UnitStatus.IN_STOCK).exists():
            raise forms.ValidationError(_("新机 %(serial)s 不在库存中") % {"serial": serial})
        return serial


class ReceiveForm(EventForm):
    condition = _text(gettext_lazy("到货状况"), required=False)
    photo = forms.FileField(label=gettext_lazy("签收照片"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}))

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                kind = topology_kind(photo)
            except Invalid:
                kind = ""
            if kind not in ("png", "jpeg"):
                raise forms.ValidationError(_("签收照片须为 PNG 或 JPEG 图片，且不超过 10 MB"))
        return photo

    def fields_for_event(self) -> dict[str, object]:
        return {"condition": self.cleaned_data.get("condition", "")}


class InspectForm(EventForm):
    fault_confirmed = forms.TypedChoiceField(
        label=gettext_lazy("故障确认"),
        choices=[("yes", gettext_lazy("是，故障属实")), ("no", gettext_lazy("否，未检出故障"))],
        widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        error_messages={"required": gettext_lazy("请选择故障是否确认")})
    damage = forms.MultipleChoiceField(label=gettext_lazy("损坏情况"), choices=DAMAGE_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    components = _text(gettext_lazy("故障部件（每行或用逗号分隔一个）"), required=False, textarea=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The terms checklist of the policy pack in force: each check names the clause it applies.
        items = checklist(None)
        if items:
            self.fields["damage"].label = _("条款核对（勾选不符合的项）")
            self.fields["damage"].choices = [
                (str(item.damage), _("%(text)s（%(clause)s）") % {"text": item.text, "clause": clause_label(item)})
                for item in items]

    def fields_for_event(self) -> dict[str, object]:
        raw = self.cleaned_data.get("components") or ""
        components = [c.strip() for c in raw.replace("，", ",").replace("\n", ",").split(",") if c.strip()]
        return {"fault_confirmed": self.cleaned_data["fault_confirmed"], "damage": list(self.cleaned_data["damage"]),
                "components": components}


QUOTE_ITEMS = 4


class SendQuoteForm(EventForm):
    options = forms.MultipleChoiceField(label=gettext_lazy("可选方案"), widget=forms.CheckboxSelectMultiple,
                                        choices=[], error_messages={"required": gettext_lazy("请选择至少一个方案")})
    valid_days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, max_value=366, initial=15)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, QUOTE_ITEMS + 1):
            self.fields[f"item_text_{i}"] = forms.CharField(label=_("项目 %(n)s") % {"n": i}, max_length=200,
                                                            required=False)
            self.fields[f"item_amount_{i}"] = forms.DecimalField(
                label=_("金额 %(n)s（元）") % {"n": i}, required=False, min_value=Decimal("0"), decimal_places=2,
                max_digits=12)
            self.fields[f"item_option_{i}"] = forms.ChoiceField(
                label=_("项目 %(n)s 适用方案") % {"n": i}, required=False,
                choices=[("", _("两种方案通用")), *((str(p), LinePath(p).label) for p in rma.Path
                                                   if p in (rma.Path.PAID_REPLACEMENT, rma.Path.PAID_REPAIR))])
            for name in (f"item_text_{i}", f"item_amount_{i}"):
                self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
            self.fields[f"item_option_{i}"].widget.attrs["class"] = "form-select form-select-sm"
            self.fields[f"item_amount_{i}"].widget.attrs["data-quote-amount"] = "1"
        choices = rma.quote_choices(self.line.snapshot()) if self.line is not None else tuple(rma.Path)
        self.fields["options"].choices = [(str(p), LinePath(p).label) for p in choices]
        self.fields["options"].initial = [str(p) for p in choices]

    def items(self) -> list[dict[str, object]]:
        data = self.cleaned_data
        return [{"text": data[f"item_text_{i}"].strip(), "amount": str(data[f"item_amount_{i}"]),
                 "option": data.get(f"item_option_{i}") or None}
                for i in range(1, QUOTE_ITEMS + 1) if (data.get(f"item_text_{i}") or "").strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, QUOTE_ITEMS + 1):
            text, amount = (data.get(f"item_text_{i}") or "").strip(), data.get(f"item_amount_{i}")
            if text and amount is None:
                self.add_error(f"item_amount_{i}", _("请填写项目 %(n)s 的金额") % {"n": i})
            if amount is not None and not text:
                self.add_error(f"item_text_{i}", _("请填写项目 %(n)s 的内容") % {"n": i})
        if not self.errors and not self.items():
            raise forms.ValidationError(_("报价至少需要一个项目"))
        return data

    def total(self) -> Decimal:
        return sum((Decimal(str(item["amount"])) for item in self.items()), Decimal("0.00"))

    def fields_for_event(self) -> dict[str, object]:
        return {"items": self.items(), "options": list(self.cleaned_data["options"]),
                "valid_days": self.cleaned_data["valid_days"]}


class ConfirmQuoteForm(EventForm):
    choice = forms.ChoiceField(label=gettext_lazy("选择方案"), choices=[], widget=forms.RadioSelect,
                               error_messages={"required": gettext_lazy("请选择收费换货或有偿维修")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = (self.line.quote_options or []) if self.line is not None else [p.value for p in rma.Path]
        self.fields["choice"].choices = [(o, LinePath(o).label) for o in options]
        if len(options) == 1:
            self.fields["choice"].initial = options[0]


class DeclineQuoteForm(EventForm):
    scrap = forms.TypedChoiceField(label=gettext_lazy("设备如何处理"), widget=forms.RadioSelect,
                                   choices=[("return", gettext_lazy("原样寄回")), ("scrap", gettext_lazy("报废"))],
                                   coerce=lambda v: v == "scrap", initial="return")


class CompleteRepairForm(EventForm):
    parts = _text(gettext_lazy("更换部件（用逗号分隔）"), required=False)
    result = _text(gettext_lazy("维修结果"), textarea=True)

    def fields_for_event(self) -> dict[str, object]:
        raw = (self.cleaned_data.get("parts") or "").replace("，", ",")
        return {"parts": [p.strip() for p in raw.split(",") if p.strip()], "result": self.cleaned_data["result"]}


class ChargeForm(EventForm):
    amount = forms.DecimalField(label=gettext_lazy("金额（元）"), min_value=Decimal("0.01"), decimal_places=2,
                                max_digits=12)
    reason = _text(gettext_lazy("原因"), textarea=True)

    def fields_for_event(self) -> dict[str, object]:
        return {"amount": str(self.cleaned_data["amount"]), "reason": self.cleaned_data["reason"]}


EVENT_FORMS: dict[str, type[EventForm]] = {
    "approve": EventForm,
    "approve_advance": ReasonForm,
    "request_info": MessageForm,
    "resubmit": EventForm,
    "reject": ReasonForm,
    "ship_to_centre": ShipmentForm,
    "receive": ReceiveForm,
    "inspect": InspectForm,
    "send_quote": SendQuoteForm,
    "confirm_quote": ConfirmQuoteForm,
    "decline_quote": DeclineQuoteForm,
    "ship_replacement": ShipReplacementForm,
    "ship_repaired": ShipmentForm,
    "ship_back": ShipmentForm,
    "confirm_delivery": EventForm,
    "complete_repair": CompleteRepairForm,
    "charge": ChargeForm,
    "close": EventForm,
    "cancel": ReasonForm,
}


def event_form(event: str, line: Any, data: Any = None, files: Any = None) -> EventForm:
    form_class = EVENT_FORMS[event]
    return form_class(data, files, line=line, initial={"version": line.version}, prefix=f"l{line.pk}-{event}")
