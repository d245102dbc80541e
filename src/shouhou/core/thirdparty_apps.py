"""Third-party apps under Chinese names in the Django admin.

django-axes and django-tasks-db ship no Simplified Chinese catalogue, so the admin showed "AXES",
"Access attempts" and "TASKS DATABASE BACKEND". The apps' names are set here (an AppConfig's
verbose_name is not part of migrations); their model and field names come from the catalogue in
``shouhou/core/thirdparty_locale`` (listed in LOCALE_PATHS).
"""

from __future__ import annotations

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig as BaseTasksConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录锁定")


class TasksConfig(BaseTasksConfig):
    verbose_name = _("后台任务")
