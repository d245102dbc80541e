"""Bulk imports (staff) and the units xlsx export."""

from django.urls import path

from shouhou.registry import views_import

urlpatterns = [
    path("imports/", views_import.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", views_import.import_errors, name="import_errors"),
    path("units/export.xlsx", views_import.unit_export_xlsx, name="unit_export_xlsx"),
]
