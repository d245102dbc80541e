"""Staff pages of the registry (units, dealers, product models, customers); dealers see their own units."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouhou.core.access import role_required, staff_required
from shouhou.core.models import AuditEvent
from shouhou.core.roles import Role
from shouhou.core.scoping import get_for, scoped
from shouhou.domain.errors import NotFound
from shouhou.domain.regions import region as region_lookup
from shouhou.registry import selectors, services
from shouhou.registry.forms import CustomerForm, DealerContactForm, DealerForm, ProductModelForm, UnitForm
from shouhou.registry.history import unit_history
from shouhou.registry.labels import FORMATS, MAX_LABELS, labels_pdf, loopback_warning
from shouhou.registry.models import Customer, Dealer, DealerContact, ProductModel, Unit, UnitStatus
from shouhou.workdays import clock

PAGE_SIZE = 50
any_role = role_required(*Role.values)


def region_name(code: str) -> str:
    if not code:
        return ""
    try:
        return region_lookup(code).name
    except NotFound:
        return code


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in selectors.UNIT_FILTERS if request.GET.get(k, "").strip()}


# --- units ----------------------------------------------------------------------------------
@any_role
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    params = _filters(request)
    page = Paginator(selectors.unit_search(request.user, params), PAGE_SIZE).get_page(request.GET.get("page"))
    units = list(page.object_list)
    coverage = selectors.coverage_today_map(units, clock.today())
    rows = [{"unit": u, "coverage": coverage[u.pk], "region": region_name(u.region_code)} for u in units]
    staff = request.user.is_vendor_staff  # type: ignore[union-attr]
    return render(request, "registry/unit_list.html", {
        "page": page, "rows": rows, "params": params, "query": urlencode(params), "staff": staff,
        "statuses": UnitStatus.choices,
        "labels_warning": loopback_warning(settings.BASE_URL) if staff else None,
        "models": ProductModel.objects.only("code", "name") if staff else (),
        "dealers": Dealer.objects.only("code", "name") if staff else (),
    })


@any_role
@require_GET
def unit_detail(request: HttpRequest, serial: str) -> HttpResponse:
    unit = selectors.unit_get(request.user, serial)
    today = clock.today()
    before, after = selectors.replacement_chain(unit)
    events = scoped(request.user, AuditEvent).filter(
        object_type=Unit._meta.label_lower, object_id=str(unit.pk)
    ).select_related("actor").order_by("-at", "-id")[:100]
    return render(request, "registry/unit_detail.html", {
        "unit": unit, "coverage": selectors.coverage_or_none(unit, today), "today": today,
        "terms": unit.terms, "region": region_name(unit.region_code), "before": before, "after": after,
        "events": events, "staff": request.user.is_vendor_staff,  # type: ignore[union-attr]
        "history": unit_history(request.user, unit),
        "snapshot": latest_snapshot(unit),
        "labels_warning": loopback_warning(settings.BASE_URL) if request.user.is_vendor_staff else None,  # type: ignore[union-attr]
    })


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def latest_snapshot(unit: Unit) -> dict[str, Any] | None:
    """The unit's latest hardware snapshot for its page and the case page (`registry/_snapshot.html`):
    top-level items and the changes, as text. Two queries at most."""
    entries = selectors.unit_snapshot_history(unit, limit=1)
    if not entries:
        return None
    entry = entries[0]
    changes = entry.changes
    return {
        "entry": entry,
        "rows": [(key, _shown(value)) for key, value in entry.snapshot.config.items()],
        "added": [(c.where, _shown(c.new)) for c in changes.added] if changes else [],
        "removed": [(c.where, _shown(c.old)) for c in changes.removed] if changes else [],
        "changed": [(c.where, _shown(c.old), _shown(c.new)) for c in changes.changed] if changes else [],
    }


@staff_required
@require_GET
def unit_labels(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "a4")
    if fmt not in FORMATS:
        return render(request, "core/error.html", {"error": _("未知标签格式，可选 a4 或 60x40。"), "status": 400},
                      status=400)
    units = selectors.unit_search(request.user, _filters(request))
    count = units.count()
    if count > MAX_LABELS:
        message = _("一次最多打印 %(max)s 张标签，当前条件匹配 %(count)s 台设备，"
                    "请缩小范围（按型号、批次或序列号）。") % {"max": MAX_LABELS, "count": count}
        return render(request, "core/error.html", {"error": message, "status": 400}, status=400)
    pdf = labels_pdf(units.iterator(chunk_size=500), fmt=fmt, base_url=settings.BASE_URL)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{fmt}.pdf"'
    return response


def _form_page(request: HttpRequest, *, form_class: type, instance: models.Model | None,
               save: Callable[[dict[str, Any]], models.Model], title: str, cancel: str) -> HttpResponse:
    """Show FORM_CLASS; on a valid POST call SAVE (a service) and go to the saved object's page.

    The form gets its own copy of the instance: ModelForm validation writes the new values into it,
    and the service must see the old ones to record what changed.
    """
    copy = type(instance)._default_manager.get(pk=instance.pk) if instance is not None else None
    form = form_class(request.POST or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        obj = save(form.cleaned_data)
        messages.success(request, _("已保存。"))
        return redirect(_detail_url(obj))
    return render(request, "registry/form.html", {"form": form, "title": title, "cancel": cancel},
                  status=400 if form.is_bound else 200)


def _detail_url(obj: models.Model) -> str:
    from django.urls import reverse

    if isinstance(obj, Unit):
        return reverse("unit_detail", args=[obj.serial])
    if isinstance(obj, Dealer):
        return reverse("dealer_detail", args=[obj.code])
    if isinstance(obj, DealerContact):
        return reverse("dealer_detail", args=[obj.dealer.code])
    if isinstance(obj, ProductModel):
        return reverse("model_detail", args=[obj.code])
    return reverse("customer_list")


def _pick(data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {k: ("" if data[k] is None and k == "region_code" else data[k]) for k in fields if k in data}


@staff_required
def unit_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> Unit:
        fields = _pick(data, UnitForm.Meta.fields)
        return services.unit_create(actor=request.user, **fields)  # type: ignore[arg-type]

    return _form_page(request, form_class=UnitForm, instance=None, save=save, title=_("新建设备"),
                      cancel="unit_list")


@staff_required
def unit_edit(request: HttpRequest, serial: str) -> HttpResponse:
    unit = selectors.unit_get(request.user, serial)

    def save(data: dict[str, Any]) -> Unit:
        return services.unit_update(actor=request.user, unit=unit, **_pick(data, UnitForm.Meta.fields))  # type: ignore[arg-type]

    return _form_page(request, form_class=UnitForm, instance=unit, save=save,
                      title=_("编辑设备 %(serial)s") % {"serial": unit.serial}, cancel="unit_list")


# --- dealers --------------------------------------------------------------------------------
@staff_required
@require_GET
def dealer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    dealers = selectors.dealer_search(request.user, q).annotate(unit_count=Count("units")).order_by("code")
    page = Paginator(dealers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/dealer_list.html", {"page": page, "q": q})


@staff_required
@require_GET
def dealer_detail(request: HttpRequest, code: str) -> HttpResponse:
    dealer = get_for(request.user, Dealer, code=code)
    regions = [region_name(r.region_code) for r in dealer.regions.order_by("region_code")]
    counts = dict(dealer.units.order_by().values_list("status").annotate(n=Count("pk")))
    return render(request, "registry/dealer_detail.html", {
        "dealer": dealer, "regions": regions, "home": region_name(dealer.region_code),
        "counts": [(label, counts.get(value, 0), value) for value, label in UnitStatus.choices],
        "total": sum(counts.values()), "customers": dealer.customers.order_by("name")[:50],
        "contacts": dealer.contacts.order_by("name", "pk"),
    })


def _dealer_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = _pick(data, DealerForm.Meta.fields)
    fields["region_codes"] = data.get("served_regions", [])
    return fields


@staff_required
def dealer_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, form_class=DealerForm, instance=None, title=_("新建代理商"), cancel="dealer_list",
                      save=lambda data: services.dealer_create(actor=request.user, **_dealer_fields(data)))  # type: ignore[arg-type]


@staff_required
def dealer_edit(request: HttpRequest, code: str) -> HttpResponse:
    dealer = get_for(request.user, Dealer, code=code)
    return _form_page(
        request, form_class=DealerForm, instance=dealer, title=_("编辑代理商 %(code)s") % {"code": dealer.code},
        cancel="dealer_list",
        save=lambda data: services.dealer_update(actor=request.user, dealer=dealer, **_dealer_fields(data)),  # type: ignore[arg-type]
    )


def _contact_of(request: HttpRequest, code: str, pk: int) -> DealerContact:
    dealer = get_for(request.user, Dealer, code=code)
    return get_for(request.user, DealerContact.objects.select_related("dealer").filter(dealer=dealer), pk=pk)


@staff_required
def dealer_contact_create(request: HttpRequest, code: str) -> HttpResponse:
    dealer = get_for(request.user, Dealer, code=code)
    return _form_page(
        request, form_class=DealerContactForm, instance=None, cancel="dealer_list",
        title=_("添加联系人：%(dealer)s") % {"dealer": dealer.name},
        save=lambda data: services.dealer_contact_create(actor=request.user, dealer=dealer, **data),  # type: ignore[arg-type]
    )


@staff_required
def dealer_contact_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    contact = _contact_of(request, code, pk)
    return _form_page(
        request, form_class=DealerContactForm, instance=contact, cancel="dealer_list",
        title=_("编辑联系人 %(name)s") % {"name": contact.name},
        save=lambda data: services.dealer_contact_update(actor=request.user, contact=contact, **data),  # type: ignore[arg-type]
    )


@staff_required
@require_POST
def dealer_contact_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    contact = _contact_of(request, code, pk)
    services.dealer_contact_remove(actor=request.user, contact=contact)  # type: ignore[arg-type]
    messages.success(request, _("已删除联系人 %(name)s。") % {"name": contact.name})
    return redirect("dealer_detail", code=code)


# --- product models -------------------------------------------------------------------------
@staff_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    product_models = ProductModel.objects.annotate(unit_count=Count("units")).order_by("code")
    return render(request, "registry/model_list.html", {"product_models": product_models})


@staff_required
@require_GET
def model_detail(request: HttpRequest, code: str) -> HttpResponse:
    product_model = ProductModel.objects.filter(code=code).first()
    if product_model is None:
        raise NotFound(_("没有找到该记录。"))
    counts = dict(product_model.units.order_by().values_list("status").annotate(n=Count("pk")))
    batches = (product_model.units.exclude(manufactured_on=None).order_by("-manufactured_on")
               .values("manufactured_on").annotate(n=Count("pk"))[:20])
    return render(request, "registry/model_detail.html", {
        "model": product_model, "batches": batches,
        "counts": [(label, counts.get(value, 0), value) for value, label in UnitStatus.choices],
        "total": sum(counts.values()),
        "labels_warning": loopback_warning(settings.BASE_URL),
    })


@staff_required
def model_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, form_class=ProductModelForm, instance=None, title=_("新建产品型号"),
                      cancel="model_list",
                      save=lambda data: services.product_model_create(actor=request.user, **data))  # type: ignore[arg-type]


@staff_required
def model_edit(request: HttpRequest, code: str) -> HttpResponse:
    product_model = ProductModel.objects.filter(code=code).first()
    if product_model is None:
        raise NotFound(_("没有找到该记录。"))
    return _form_page(
        request, form_class=ProductModelForm, instance=product_model, cancel="model_list",
        title=_("编辑产品型号 %(code)s") % {"code": product_model.code},
        save=lambda data: services.product_model_update(actor=request.user, product_model=product_model, **data),  # type: ignore[arg-type]
    )


# --- customers ------------------------------------------------------------------------------
@staff_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    customers = (selectors.customer_search(request.user, q).select_related("dealer")
                 .annotate(unit_count=Count("units")).order_by("name"))
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    for customer in page.object_list:
        customer.region_name = region_name(customer.region_code)
    return render(request, "registry/customer_list.html", {"page": page, "q": q})


@staff_required
def customer_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, form_class=CustomerForm, instance=None, title=_("新建终端客户"),
                      cancel="customer_list",
                      save=lambda data: services.customer_create(actor=request.user, **data))  # type: ignore[arg-type]


@staff_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for(request.user, Customer, pk=pk)
    return _form_page(
        request, form_class=CustomerForm, instance=customer, title=_("编辑终端客户"), cancel="customer_list",
        save=lambda data: services.customer_update(actor=request.user, customer=customer, **data),  # type: ignore[arg-type]
    )
