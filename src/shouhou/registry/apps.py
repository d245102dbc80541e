from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shouhou.registry"
    label = "registry"
    verbose_name = "档案"
