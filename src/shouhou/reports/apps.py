from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shouhou.reports"
    label = "reports"
    verbose_name = "报表"

    def ready(self) -> None:
        from shouhou.core import dashboard as core_dashboard
        from shouhou.reports import dashboard, nav

        nav.register_nav()
        core_dashboard.register(dashboard.panel)
