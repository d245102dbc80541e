from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shouhou.registry.models import ProductModel


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.CharField(label=_("分类"), max_length=50, required=False,
                               help_text=_("例如：无盘启动、硬盘与RAID、网络"))
    tags = forms.CharField(label=_("标签"), max_length=400, required=False, help_text=_("用逗号分隔"))
    models = forms.ModelMultipleChoiceField(
        label=_("适用型号"), queryset=ProductModel.objects.order_by("code"), to_field_name="code", required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    body = forms.CharField(label=_("正文（Markdown）"), widget=forms.Textarea(attrs={"rows": 16}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if name == "models" else "form-control")

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        tags = [t.strip() for t in data["tags"].replace("，", ",").replace("、", ",").split(",") if t.strip()]
        return {"title": data["title"], "body": data["body"], "category": data["category"], "tags": tags,
                "models": [m.code for m in data["models"]]}
