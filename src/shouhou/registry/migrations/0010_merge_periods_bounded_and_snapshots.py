"""Join the bounded coverage periods and the unit snapshots (two branches' migrations 0008)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_periods_bounded"), ("registry", "0009_integration_role")]
    operations: list = []
