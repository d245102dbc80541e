from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shouhou.registry"
    label = "registry"
    verbose_name = "档案"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from shouhou.core import bootstrap
        from shouhou.core.navigation import NAV_ITEMS, NavItem
        from shouhou.core.roles import STAFF_ROLES, Role
        from shouhou.registry import demo

        staff = frozenset(STAFF_ROLES)
        items = [
            NavItem(_("档案"), _("设备"), "unit_list", frozenset({*staff, Role.DEALER})),
            NavItem(_("档案"), pgettext_lazy("navigation", "代理商"), "dealer_list", staff),
            NavItem(_("档案"), _("产品型号"), "model_list", staff),
            NavItem(_("档案"), _("终端客户"), "customer_list", staff),
            NavItem(_("档案"), _("批量导入"), "import_upload",
                    frozenset({Role.SERVICE_CENTER, Role.MANAGER, Role.ADMIN})),
            NavItem(_("公众服务"), _("保修查询"), "warranty_check", frozenset()),
        ]
        for item in items:
            if item not in NAV_ITEMS:
                NAV_ITEMS.append(item)
        # After the core demo (dealers and people), which core inserts at position 0.
        if demo.load_demo not in bootstrap.DEMO_STEPS:
            bootstrap.DEMO_STEPS.append(demo.load_demo)
        from shouhou.core import task_recovery
        from shouhou.registry.imports.jobs import import_job_recover, import_job_task

        task_recovery.register(import_job_task.module_path, import_job_recover)
        task_recovery.register("shouhou.registry.tasks.run_import", import_job_recover)  # queued before it moved
