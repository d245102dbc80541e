from django.contrib import admin

from shouhou.registry.models import Customer, Dealer, DealerRegion, ProductModel, Unit


class DealerRegionInline(admin.TabularInline):
    model = DealerRegion
    extra = 1


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact_name", "phone", "email", "region_code", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "contact_name", "phone", "mobile", "email")
    inlines = [DealerRegionInline]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "replacement_days", "warranty_months", "discontinued_on", "active")
    list_filter = ("active", "category", "warranty_months")
    search_fields = ("code", "name", "category")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
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
