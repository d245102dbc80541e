from django.urls import path

from shouhou.faq import views

urlpatterns = [
    # Public (published articles only); the same pages in the app's navigation when signed in.
    path("faq/", views.faq_index, name="faq_index"),
    path("faq/<int:pk>/", views.faq_article, name="faq_article"),
    # Staff.
    path("faq/suggest", views.faq_suggest, name="faq_suggest"),
    path("faq/manage/", views.faq_manage, name="faq_manage"),
    path("faq/manage/new/", views.faq_create, name="faq_create"),
    path("faq/manage/preview", views.faq_preview, name="faq_preview"),
    path("faq/manage/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("faq/manage/<int:pk>/status", views.faq_set_status, name="faq_set_status"),
]
