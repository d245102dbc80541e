import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_cases_triage_attachments"),
        ("rma", "0003_merge_outbox_move_and_open_line_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceorder",
            name="case",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="service_orders", to="cases.case", verbose_name="服务案例"),
        ),
    ]
