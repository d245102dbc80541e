"""Pages of the outbox (/notify/) and password reset by email (/accounts/password/reset/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shouhou.notify import views

urlpatterns = [
    path("notify/inbox/", views.inbox, name="notify_inbox"),
    path("notify/inbox/read/", views.inbox_read, name="notify_inbox_read"),
    path("notify/unread/", views.unread_badge, name="notify_unread"),
    path("notify/preference/", views.preference, name="notify_preference"),
    path("notify/outbox/", views.outbox, name="notify_outbox"),
    path("notify/outbox/<int:pk>/resend/", views.outbox_resend, name="notify_outbox_resend"),
    path("notify/addresses/", views.addresses, name="notify_addresses"),
    path("notify/addresses/clear/", views.address_clear, name="notify_address_clear"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]
