"""Unannounced receipts (未预约到货): logged at the receiving desk, listed for the service centre
with how long each has waited, matched to a unit when the serial was unknown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from shouhou.core.access import role_required
from shouhou.core.scoping import get_for
from shouhou.domain.errors import Invalid
from shouhou.registry.models import Dealer
from shouhou.rma import selectors_ui, services_receipts
from shouhou.rma.models import Receipt, ReceiptPhoto, ReceiptStatus
from shouhou.rma.policy import work_calendar

receiver_required = role_required(*services_receipts.RECEIVERS)
PAGE_SIZE = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pattern of Django's file-upload documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReceiptForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("序列号"), max_length=64)
    carrier = forms.CharField(label=gettext_lazy("承运商"), max_length=100, required=False)
    tracking = forms.CharField(label=gettext_lazy("运单号"), max_length=100, required=False)
    condition = forms.CharField(label=gettext_lazy("到货状况"), max_length=2000, required=False)
    photos = MultipleFileField(label=gettext_lazy("到货照片（PNG/JPEG，可多张）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "photos":
                field.widget.attrs["class"] = "form-control form-control-sm"


class MatchForm(forms.Form):
    serial = forms.CharField(label=gettext_lazy("设备序列号"), max_length=64,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))


def unannounced_form(serial: str) -> ReceiptForm:
    """The desk's offer for a serial it may not receive."""
    return ReceiptForm(initial={"serial": serial}, prefix="unannounced")


@receiver_required
@require_POST
def receipt_new(request: HttpRequest) -> HttpResponse:
    """Log the parcel the desk could not receive; back to the desk with the result."""
    form = ReceiptForm(request.POST, request.FILES, prefix="unannounced")
    context: dict[str, Any] = {"serial": "", "unannounced": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            receipt = services_receipts.receipt_log(
                actor=request.user,  # type: ignore[arg-type]
                serial=data["serial"], carrier=data["carrier"], tracking=data["tracking"],
                condition=data["condition"], photos=data["photos"])
        except Invalid as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, _("已登记未预约到货 %(serial)s。") % {"serial": receipt.serial})
                return redirect("rma_receipt", pk=receipt.pk)
            context = {"serial": "", "logged": receipt}
    context["today"] = selectors_ui.received_today(request.user, now=timezone.now(), cal=work_calendar())
    template = "rma/receive.html#desk" if request.htmx else "rma/receive.html"
    return render(request, template, context, status=200 if "logged" in context else 422)


RECEIPT_FILTERS = ("status", "dealer", "q", "unmatched")


@receiver_required
@require_GET
def receipt_list(request: HttpRequest) -> HttpResponse:
    """Parcels that arrived without an approved form, the one waiting longest first."""
    params = {k: request.GET.get(k, "").strip()[:64] for k in RECEIPT_FILTERS if request.GET.get(k, "").strip()}
    status = params.get("status", ReceiptStatus.AWAITING_FORM)
    if status == "all":
        status = ""
    receipts = selectors_ui.receipt_search(request.user, status=status, dealer=params.get("dealer", ""),
                                           q=params.get("q", ""), unmatched=params.get("unmatched") == "1")
    page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
    now, cal = timezone.now(), work_calendar()
    rows = [{"receipt": r, "waited": selectors_ui.receipt_waited(r, now=now, cal=cal)} for r in page.object_list]
    return render(request, "rma/receipts.html", {
        "page": page, "rows": rows, "params": params, "status": status or "all", "query": urlencode(params),
        "statuses": ReceiptStatus.choices, "dealers": Dealer.objects.only("code", "name").order_by("code"),
    })


def _receipt(request: HttpRequest, pk: int) -> Receipt:
    return get_for(request.user, Receipt.objects.select_related("dealer", "unit__product_model", "line__order",
                                                                "received_by"), pk=pk)


@receiver_required
@require_GET
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = _receipt(request, pk)
    return _detail(request, receipt, MatchForm())


def _detail(request: HttpRequest, receipt: Receipt, form: MatchForm, status: int = 200) -> HttpResponse:
    now, cal = timezone.now(), work_calendar()
    return render(request, "rma/receipt_detail.html", {
        "receipt": receipt, "form": form, "photos": list(receipt.photos.all()),
        "waited": selectors_ui.receipt_waited(receipt, now=now, cal=cal)}, status=status)


@receiver_required
@require_POST
def receipt_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a receipt logged under an unknown serial to a registered unit."""
    receipt = _receipt(request, pk)
    form = MatchForm(request.POST)
    if form.is_valid():
        try:
            services_receipts.receipt_match(receipt=receipt, actor=request.user,  # type: ignore[arg-type]
                                            serial=form.cleaned_data["serial"])
        except Invalid as exc:
            form.add_error("serial", str(exc))
        else:
            messages.success(request, _("已匹配设备，并已通知代理商补交服务单。"))
            return redirect("rma_receipt", pk=pk)
    return _detail(request, _receipt(request, pk), form, status=422)


@receiver_required
@require_GET
def receipt_photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    receipt = _receipt(request, pk)
    photo = get_for(request.user, ReceiptPhoto, pk=photo_id, receipt=receipt)
    return FileResponse(photo.file.open("rb"), filename=photo.file.name.rsplit("/", 1)[-1])
