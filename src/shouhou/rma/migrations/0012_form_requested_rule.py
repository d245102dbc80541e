from django.db import migrations


def add_rule(apps, schema_editor):
    Rule = apps.get_model("notify", "Rule")
    # An unannounced parcel: the unit's dealer is asked for the service form (inbox and email).
    Rule.objects.get_or_create(event="rma.form_requested", audience="dealer", role="",
                               defaults={"inbox": True, "email": True})


class Migration(migrations.Migration):
    dependencies = [("rma", "0011_default_policy_texts"), ("notify", "0004_case_assigned_rule")]
    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
