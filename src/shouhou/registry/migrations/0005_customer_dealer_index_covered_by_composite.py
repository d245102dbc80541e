# Drops the single-column index Django made for Customer.dealer: customer_dealer_name_idx
# (dealer, name) starts with that column and serves the same lookups and FK checks. One index
# fewer to maintain for every customer an import creates (as 0004 did for the unit table).
# Only the index goes: AlterField alone would also drop and re-add (re-validate) the foreign key.

import django.db.models.deletion
from django.db import migrations, models

NAME = "registry_customer_dealer_id_28807b52"


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_unit_fk_indexes_covered_by_composites'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='dealer',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to='registry.dealer', verbose_name='代理商'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{NAME}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "registry_customer" ("dealer_id")',
                ),
            ],
        ),
    ]
