from django.db import migrations


def add_rule(apps, schema_editor):
    Rule = apps.get_model("notify", "Rule")
    # A hand-over reaches the new owner: inbox and email.
    Rule.objects.get_or_create(event="case.assigned", audience="named", role="", defaults={"inbox": True, "email": True})


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_move_rma_notifications")]
    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
