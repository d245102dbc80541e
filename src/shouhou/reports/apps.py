from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shouhou.reports"
    label = "reports"
    verbose_name = "报表"
