from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "shouhou.rma"
    label = "rma"
    verbose_name = "售后服务单"

    def ready(self) -> None:
        from shouhou.core import bootstrap
        from shouhou.core import dashboard as core_dashboard
        from shouhou.registry import history as unit_history
        from shouhou.registry.callers import register_caller_provider
        from shouhou.rma import dashboard, demo, errors, nav
        from shouhou.rma.callers import open_orders
        from shouhou.rma.history import unit_lines

        # After the registry demo, which creates the units (apps are ready in INSTALLED_APPS order).
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
        nav.register_nav()
        errors.register()
        # `shouhou serve` sweeps deadlines every 15 minutes; production runs `shouhou rma sweep` from cron.
        if not any(job.name == "rma.deadlines_sweep" for job in bootstrap.PERIODIC):
            from shouhou.rma.tasks import deadlines_sweep

            bootstrap.PERIODIC.append(bootstrap.Periodic("rma.deadlines_sweep", 15 * 60, deadlines_sweep.enqueue))
        unit_history.register(unit_lines)
        register_caller_provider("open_orders", open_orders)
        from shouhou.notify import documents as notify_documents
        from shouhou.rma.documents import event_document

        notify_documents.register("rma.orderline", event_document)
        core_dashboard.register(dashboard.panel)
