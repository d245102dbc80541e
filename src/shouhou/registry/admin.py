from django.contrib import admin

from shouhou.registry.models import Dealer


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "phone", "email", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "phone", "email")
