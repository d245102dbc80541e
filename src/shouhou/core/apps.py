from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shouhou.core"
    label = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        from shouhou.core import bootstrap, demo

        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.insert(0, demo.load_demo)
