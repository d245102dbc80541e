"""Pages of service orders: staff (/rma/), the dealer portal (/portal/) and the public status page."""

from django.urls import path

from shouhou.rma import views, views_portal, views_public

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
    path("rma/orders/<int:pk>/lines/<int:line_id>/topology", views.line_topology, name="rma_line_topology"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/attachments/<int:attachment_id>", views.line_attachment,
         name="rma_line_attachment"),
    path("rma/orders/<int:pk>/lines/<int:line_id>/<str:event>/", views.line_event, name="rma_line_event"),
    path("rma/receive/", views.receive, name="rma_receive"),
    path("rma/receive/<int:line_id>/", views.receive_line, name="rma_receive_line"),
    # Public, no login.
    path("rma/status/", views_public.status, name="rma_status"),
    # Dealer portal.
    path("portal/", views_portal.home, name="portal_home"),
    path("portal/notifications/", views_portal.notifications, name="portal_notifications"),
    path("portal/orders/new/", views_portal.order_new, name="portal_order_new"),
    path("portal/orders/new/line/", views_portal.order_line_row, name="portal_order_line_row"),
    path("portal/orders/template.xlsx", views_portal.order_template, name="portal_order_template"),
    path("portal/orders/upload/", views_portal.order_upload, name="portal_order_upload"),
    path("portal/orders/<int:pk>/", views_portal.order_detail, name="portal_order"),
    path("portal/orders/<int:pk>/edit/", views_portal.order_edit, name="portal_order_edit"),
    path("portal/orders/<int:pk>/documents/<str:kind>.pdf", views_portal.order_document,
         name="portal_order_document"),
    path("portal/orders/<int:pk>/lines/<int:line_id>/topology", views_portal.line_topology,
         name="portal_line_topology"),
    path("portal/orders/<int:pk>/lines/<int:line_id>/<str:event>/", views_portal.line_event,
         name="portal_line_event"),
]
