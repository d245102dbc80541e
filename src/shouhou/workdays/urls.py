from django.urls import path

from shouhou.workdays import views

urlpatterns = [
    path("calendar/", views.calendar_month, name="calendar_month"),
    path("calendar/years/", views.calendar_years, name="calendar_years"),
    path("calendar/years/<int:year>/", views.calendar_year_edit, name="calendar_year_edit"),
    path("calendar/years/<int:year>/delete/", views.calendar_year_delete, name="calendar_year_delete"),
    path("calendar/import/", views.calendar_import, name="calendar_import"),
    path("calendar/company-days/", views.company_days, name="company_days"),
    path("calendar/company-days/<int:pk>/", views.company_day_edit, name="company_day_edit"),
    path("calendar/company-days/<int:pk>/delete/", views.company_day_delete, name="company_day_delete"),
    path("calendar/settings/", views.calendar_settings, name="calendar_settings"),
]
