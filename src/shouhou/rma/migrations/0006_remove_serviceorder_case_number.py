from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("rma", "0005_fill_serviceorder_case"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="serviceorder",
            name="case_number",
        ),
    ]
