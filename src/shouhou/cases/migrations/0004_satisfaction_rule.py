from django.db import migrations


def add_rule(apps, schema_editor):
    # The reporter (a named address) gets the rating link by mail; admins may change the rule.
    Rule = apps.get_model("notify", "Rule")
    Rule.objects.get_or_create(event="case.satisfaction", audience="named", role="",
                               defaults={"inbox": False, "email": True})


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_rating"), ("notify", "0002_default_rules")]
    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
