"""Staff forms for the registry. The forms validate input; the services in services.py write."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhou.domain.errors import NotFound
from shouhou.domain.regions import cities, find_region, provinces
from shouhou.domain.regions import region as region_lookup
from shouhou.registry.models import Customer, Dealer, DealerContact, ProductModel, Unit, normalize_serial

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def region_choices() -> list[tuple[str, Any]]:
    """Provinces with their cities as option groups: a select that needs no JavaScript."""
    choices: list[tuple[str, Any]] = [("", "—")]
    for province in provinces():
        group = [(province.code, _("%(name)s（全省）") % {"name": province.name})]
        group.extend((city.code, city.name) for city in cities(province.code))
        choices.append((province.name, group))
    return choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _region_field(label: StrOrPromise, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=region_choices, required=required)


class StyledForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else (
                "form-select" if isinstance(widget, forms.Select) else "form-control")
            widget.attrs.setdefault("class", css)


class ProductModelForm(StyledForm):
    class Meta:
        model = ProductModel
        fields = ["code", "name", "category", "replacement_days", "warranty_months", "discontinued_on",
                  "replacement_terms", "free_repair_scope", "active"]
        widgets = {"discontinued_on": DateInput(),
                   "replacement_terms": forms.Textarea(attrs={"rows": 3}),
                   "free_repair_scope": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": _("如 SN-D200；创建后用于序列号导入和接口。")}


class DealerForm(StyledForm):
    served_regions = forms.CharField(
        label=_("服务地区"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("填写地区名称或代码，用逗号、顿号或空格分隔，如：南宁 桂林 450200。"
                    "终端用户按地区查找代理商时使用。"),
    )

    class Meta:
        model = Dealer
        fields = ["code", "name", "contact_name", "phone", "mobile", "email", "cc_emails", "address",
                  "region_code", "active"]
        help_texts = {"code": _("如 GX-NN01（省份缩写-城市缩写编号）。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"] = _region_field(_("所在地区"))
        self.fields["region_code"].widget.attrs["class"] = "form-select"
        if self.instance.pk and not self.is_bound:
            names = [region_lookup(r.region_code).name for r in self.instance.regions.all()]
            self.initial["served_regions"] = " ".join(names)

    def clean_served_regions(self) -> list[str]:
        codes: list[str] = []
        unknown: list[str] = []
        for part in re.split(r"[\s,，、;；]+", self.cleaned_data.get("served_regions", "")):
            if not part:
                continue
            code = part if part.isdigit() else None
            if code is not None:
                try:
                    region_lookup(code)
                except NotFound:
                    code = None
            else:
                found = find_region(part)
                code = found.code if found else None
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise forms.ValidationError(_("未知地区：%(names)s"), params={"names": "、".join(unknown)})
        return codes


class DealerContactForm(StyledForm):
    class Meta:
        model = DealerContact
        fields = ["name", "role", "phone", "email", "qq"]


class CustomerForm(StyledForm):
    class Meta:
        model = Customer
        fields = ["name", "contact_name", "phone", "region_code", "dealer"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"] = _region_field(_("地区"))
        self.fields["region_code"].widget.attrs["class"] = "form-select"


class UnitForm(StyledForm):
    class Meta:
        model = Unit
        fields = ["serial", "product_model", "manufactured_on", "shipped_on", "sold_on", "dealer", "customer",
                  "region_code", "replacement_days", "warranty_months", "status"]
        widgets = {"manufactured_on": DateInput(), "shipped_on": DateInput(), "sold_on": DateInput()}
        help_texts = {"serial": _("不区分大小写，空格会被去掉。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"] = _region_field(_("销售地区"))
        self.fields["region_code"].widget.attrs["class"] = "form-select"
        customer = self.fields["customer"]
        assert isinstance(customer, forms.ModelChoiceField)  # noqa: S101  (the model form's foreign key field)
        customer.queryset = Customer.objects.select_related("dealer").order_by("name")

    def clean_serial(self) -> str:
        return normalize_serial(self.cleaned_data.get("serial", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shipped, sold = data.get("shipped_on"), data.get("sold_on")
        if sold and not shipped:
            self.add_error("shipped_on", _("有售出日期的设备必须先有发货日期。"))
        elif sold and shipped and sold < shipped:
            self.add_error("sold_on", _("售出日期不能早于发货日期。"))
        return data
