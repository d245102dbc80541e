"""Pages of service orders: staff (/rma/), the dealer portal (/portal/) and the public status page."""

from django.urls import path

from shouhou.rma import views, views_policy, views_portal, views_public, views_receipts

urlpatterns = [
    # Staff.
    path("rma/", views.queue, name="rma_queue"),
    path("rma/export.xlsx", views.queue_export, name="rma_queue_export"),
    path("rma/orders/new/", views.order_new, name="rma_order_new"),
    path("rma/orders/new/line/", views.order_line_row, name="rma_order_line_row"),
    path("rma/orders/template.xlsx", views.order_template, name="rma_order_template"),
    path("rma/orders/upload/", views.order_upload, name="rma_order_upload"),
    path("rma/orders/<int:pk>/", views.order_detail, name="rma_order"),
    path("rma/orders/<int:pk>/edit/", views.order_edit, name="rma_order_edit"),
    path("rma/orders/<int:pk>/documents/<str:kind>.pdf", views.order_document, name="rma_order_document"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/sheets/<int:version>.pdf", views.line_sheet, name="rma_line_sheet"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/topology", views.line_topology, name="rma_line_topology"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/attachments/<int:attachment_id>", views.line_attachment,
         name="rma_line_attachment"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/<str:event>/", views.line_event, name="rma_line_event"),
    path("rma/receive/", views.receive, name="rma_receive"),
    path("rma/receive/<int:line_id>/", views.receive_line, name="rma_receive_line"),
    path("rma/receipts/", views_receipts.receipt_list, name="rma_receipts"),
    path("rma/receipts/new/", views_receipts.receipt_new, name="rma_receipt_new"),
    path("rma/receipts/<int:pk>/", views_receipts.receipt_detail, name="rma_receipt"),
    path("rma/receipts/<int:pk>/match/", views_receipts.receipt_match, name="rma_receipt_match"),
    path("rma/receipts/<int:pk>/photos/<int:photo_id>", views_receipts.receipt_photo, name="rma_receipt_photo"),
    path("policy/manage/", views_policy.policy_manage, name="policy_manage"),
    path("policy/manage/edit/", views_policy.policy_edit, name="policy_edit"),
    path("policy/manage/preview", views_policy.policy_preview, name="policy_preview"),
    path("policy/manage/<int:version>/", views_policy.policy_version, name="policy_version"),
    # Public, no login.
    path("rma/status/", views_public.status, name="rma_status"),
    path("policy/", views_policy.policy_public, name="policy_public"),
    # Dealer portal.
    path("portal/", views_portal.home, name="portal_home"),
    path("portal/notifications/", views_portal.notifications, name="portal_notifications"),
    path("portal/policy/", views_policy.portal_policy, name="portal_policy"),
    path("portal/orders/new/", views_portal.order_new, name="portal_order_new"),
    path("portal/orders/new/line/", views_portal.order_line_row, name="portal_order_line_row"),
    path("portal/orders/template.xlsx", views_portal.order_template, name="portal_order_template"),
    path("portal/orders/upload/", views_portal.order_upload, name="portal_order_upload"),
    path("portal/orders/<int:pk>/", views_portal.order_detail, name="portal_order"),
    path("portal/orders/<int:pk>/edit/", views_portal.order_edit, name="portal_order_edit"),
    path("portal/orders/<int:pk>/documents/<str:kind>.pdf", views_portal.order_document,
         name="portal_order_document"),
    path("portal/orders/<int:pk>/lines/<int:line_id>/sheets/<int:version>.pdf", views_portal.line_sheet,
         name="portal_line_sheet"),
    path("portal/orders/<int:pk>/lines/<int:line_id>/topology", views_portal.line_topology,
         name="portal_line_topology"),
    path("portal/orders/<int:pk>/lines/<int:line_id>/<str:event>/", views_portal.line_event,
         name="portal_line_event"),
]
