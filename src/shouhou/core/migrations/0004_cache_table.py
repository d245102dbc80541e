"""The table of the shared cache (shouhou.core.cache): rate-limit counters and one-time nonces that
every web process must see, when no Redis is configured (settings CACHES, ``CACHE_URL``).

Created as `shouhou manage createcachetable` would, by Django's own code, but as a migration so that
every database that is migrated has it, whatever CACHE_URL said when it was migrated.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "shouhou_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_event_append_only")]

    operations = [migrations.RunPython(create, drop)]
