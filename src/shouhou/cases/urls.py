"""Pages of service cases: staff (/cases/, /intake) and the dealer portal (/portal/cases/)."""

from django.urls import path

from shouhou.cases import views, views_portal, views_public

urlpatterns = [
    # Staff.
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/mine/", views.case_mine, name="case_mine"),
    path("cases/triage/", views.triage_queue, name="case_triage_queue"),
    path("cases/teams/", views.team_queue, name="case_team_queue"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/triage/", views.case_triage, name="case_triage"),
    path("cases/<int:pk>/diagnostics/", views.case_diagnostic, name="case_diagnostic"),
    path("cases/<int:pk>/attachments/", views.case_attach, name="case_attach"),
    path("cases/<int:pk>/attachments/<int:attachment_id>", views.case_attachment, name="case_attachment"),
    path("cases/<int:pk>/complaint/", views.case_complaint, name="case_complaint"),
    path("cases/<int:pk>/<str:event>/", views.case_event, name="case_event"),
    path("intake", views.intake, name="intake"),
    # Public, no login: the one-time satisfaction link.
    path("rate/<str:token>/", views_public.rate, name="case_rate"),
    # Public: 扫码报修 from a unit's page, and a reporter's case status by number + phone.
    path("report/<path:serial>", views_public.report, name="case_report"),
    path("cases/status/", views_public.status, name="case_status"),
    # Dealer portal.
    path("portal/cases/", views_portal.case_list, name="portal_cases"),
    path("portal/cases/export.xlsx", views_portal.case_export, name="portal_case_export"),
    path("portal/cases/<int:pk>/", views_portal.case_detail, name="portal_case"),
    path("portal/cases/<int:pk>/attachments/<int:attachment_id>", views_portal.case_attachment,
         name="portal_case_attachment"),
    path("portal/cases/<int:pk>/<str:event>/", views_portal.case_event, name="portal_case_event"),
]
