from shouhou.registry import urls_import, urls_pages

urlpatterns = [*urls_pages.urlpatterns, *urls_import.urlpatterns]
