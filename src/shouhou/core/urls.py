from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shouhou.api.urls import urlpatterns as api_urlpatterns
from shouhou.core import views, views_staff

urlpatterns = [
    # First: the public coverage API is the hottest path, and URL resolution tries patterns in order.
    *api_urlpatterns("api/v1/"),
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("audit/", views_staff.audit_log, name="audit_log"),
    path("audit/export.xlsx", views_staff.audit_export, name="audit_export"),
    path("staff/users/", views_staff.users, name="staff_users"),
    path("staff/users/new/", views_staff.user_new, name="staff_user_new"),
    path("staff/users/<int:pk>/", views_staff.user_edit, name="staff_user"),
    path("staff/users/<int:pk>/active/", views_staff.user_active, name="staff_user_active"),
    path("staff/users/<int:pk>/reset/", views_staff.user_reset, name="staff_user_reset"),
    path("staff/roles/", views_staff.roles, name="staff_roles"),
    path("staff/tokens/", views_staff.tokens, name="staff_tokens"),
    path("staff/tokens/<int:pk>/revoke/", views_staff.token_revoke, name="staff_token_revoke"),
    path("staff/lockouts/", views_staff.lockouts, name="staff_lockouts"),
    path("staff/lockouts/clear/", views_staff.lockout_clear, name="staff_lockout_clear"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("shouhou.registry.urls")),
    path("", include("shouhou.workdays.urls")),
    path("", include("shouhou.rma.urls")),
    path("", include("shouhou.cases.urls")),
    path("", include("shouhou.faq.urls")),
    path("", include("shouhou.mail.urls")),
    path("", include("shouhou.notify.urls")),
    path("", include("shouhou.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
