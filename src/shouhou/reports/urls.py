from django.urls import path

from shouhou.reports import views

urlpatterns = [
    path("reports/", views.dashboard, name="reports_dashboard"),
    path("reports/quality/", views.quality, name="reports_quality"),
    path("reports/dealers/", views.dealers, name="reports_dealers"),
    path("reports/lists/<str:name>.xlsx", views.list_export, name="reports_list_export"),
    path("reports/<str:page>/<str:key>.xlsx", views.figure_export, name="reports_figure_export"),
]
