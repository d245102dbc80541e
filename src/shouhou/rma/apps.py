from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "shouhou.rma"
    label = "rma"
    verbose_name = "售后服务单"

    def ready(self) -> None:
        from shouhou.core import bootstrap
        from shouhou.rma import demo

        # After the registry demo, which creates the units (apps are ready in INSTALLED_APPS order).
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
        __import__("shouhou.rma.nav", fromlist=["register_nav"]).register_nav()
