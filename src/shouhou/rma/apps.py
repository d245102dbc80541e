from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "shouhou.rma"
    label = "rma"
    verbose_name = "售后服务单"
