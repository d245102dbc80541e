"""Registry pages: public (warranty check, find my dealer, one code per unit) and staff."""

from django.urls import path

from shouhou.registry import views, views_callers, views_public

urlpatterns = [
    # Public, no login.
    path("warranty/", views_public.warranty_check, name="warranty_check"),
    path("dealers/find/", views_public.dealer_find, name="dealer_find"),
    path("u/<path:serial>", views_public.unit_public, name="unit_public"),
    # Staff (and dealers for their own units).
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/labels.pdf", views.unit_labels, name="unit_labels"),
    path("units/<path:serial>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<path:serial>/", views.unit_detail, name="unit_detail"),
    path("dealers/", views.dealer_list, name="dealer_list"),
    path("dealers/new/", views.dealer_create, name="dealer_create"),
    path("dealers/<str:code>/edit/", views.dealer_edit, name="dealer_edit"),
    path("dealers/<str:code>/contacts/new/", views.dealer_contact_create, name="dealer_contact_create"),
    path("dealers/<str:code>/contacts/<int:pk>/edit/", views.dealer_contact_edit, name="dealer_contact_edit"),
    path("dealers/<str:code>/contacts/<int:pk>/remove/", views.dealer_contact_remove, name="dealer_contact_remove"),
    path("dealers/<str:code>/", views.dealer_detail, name="dealer_detail"),
    path("models/", views.model_list, name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<str:code>/edit/", views.model_edit, name="model_edit"),
    path("models/<str:code>/", views.model_detail, name="model_detail"),
    path("callers/panel", views_callers.caller_panel, name="caller_panel"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
]
