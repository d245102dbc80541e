from django.urls import path

from shouhou.mail import views

urlpatterns = [
    path("mail/inbound/", views.inbound_log, name="mail_inbound_log"),
    path("mail/inbound/<int:pk>/", views.inbound_detail, name="mail_inbound_detail"),
    path("mail/inbound/<int:pk>/act", views.inbound_act, name="mail_inbound_act"),
]
