"""The integration role (a machine account such as the cloud-management platform), which pushes snapshots."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="integration")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_unit_snapshots"), ("core", "0002_create_role_groups")]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
