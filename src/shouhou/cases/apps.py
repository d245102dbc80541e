from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shouhou.cases"
    label = "cases"
    verbose_name = "服务案例"

    def ready(self) -> None:
        from shouhou.cases import plugins

        plugins.register()
