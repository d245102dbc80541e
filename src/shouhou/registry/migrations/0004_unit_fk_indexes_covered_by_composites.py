# Drops the single-column indexes Django made for Unit.dealer and Unit.product_model: the
# composite indexes unit_dealer_serial_idx (dealer, serial) and unit_model_status_idx
# (product_model, status) start with those columns and serve the same lookups (and the FK
# checks on deleting a dealer or model). Two fewer indexes to maintain on every unit write.
# Only the indexes go: AlterField alone would also drop and re-add (re-validate) the foreign keys.

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {"registry_unit_dealer_id_5c599951": "dealer_id",
           "registry_unit_product_model_id_83278611": "product_model_id"}


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0003_import_job'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='unit',
                    name='dealer',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='units', to='registry.dealer', verbose_name='代理商'),
                ),
                migrations.AlterField(
                    model_name='unit',
                    name='product_model',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='units', to='registry.productmodel', verbose_name='产品型号'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "registry_unit" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
