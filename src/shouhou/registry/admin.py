from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shouhou.domain.phones import phone_key
from shouhou.registry.models import Customer, Dealer, DealerContact, DealerRegion, ProductModel, Unit


class PhoneKeySearch(admin.ModelAdmin):
    """The admin search also finds a phone written any other way (0771-5561234 = (0771)556 1234)."""

    phone_key_fields: tuple[str, ...] = ("phone_key",)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any],
                           search_term: str) -> tuple[QuerySet[Any], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        may_have_duplicates = may_have_duplicates or any("__" in f for f in self.phone_key_fields)
        key = phone_key(search_term)
        if len(key) >= 5:
            for field in self.phone_key_fields:
                found |= queryset.filter(**{field: key})
        return found, may_have_duplicates


class DealerContactInline(admin.TabularInline):
    model = DealerContact
    extra = 1
    fields = ("name", "role", "phone", "email", "qq")


class DealerRegionInline(admin.TabularInline):
    model = DealerRegion
    extra = 1


@admin.register(Dealer)
class DealerAdmin(PhoneKeySearch):
    list_display = ("code", "name", "contact_name", "phone", "email", "region_code", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "contact_name", "phone", "mobile", "email", "contacts__name")
    phone_key_fields = ("phone_key", "mobile_key", "contacts__phone_key")
    inlines = [DealerRegionInline, DealerContactInline]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "replacement_days", "warranty_months", "discontinued_on", "active")
    list_filter = ("active", "category", "warranty_months")
    search_fields = ("code", "name", "category")


@admin.register(Customer)
class CustomerAdmin(PhoneKeySearch):
    list_display = ("name", "contact_name", "phone", "region_code", "dealer")
    list_filter = ("dealer",)
    search_fields = ("name", "contact_name", "phone")
    list_select_related = ("dealer",)
    autocomplete_fields = ("dealer",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("serial", "product_model", "dealer", "status", "shipped_on", "sold_on", "region_code")
    list_filter = ("status", "product_model", "dealer")
    search_fields = ("serial", "customer__name")
    list_select_related = ("product_model", "dealer")
    raw_id_fields = ("replaces", "customer")
    autocomplete_fields = ("dealer",)
    date_hierarchy = "shipped_on"
