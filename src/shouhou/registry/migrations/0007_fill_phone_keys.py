"""Fill the phone match keys of the dealers and customers that existed before the keys did."""

from django.db import migrations

from shouhou.domain.phones import phone_key

BATCH = 2000


def fill(apps, schema_editor):
    for model_name, pairs in (("Dealer", (("phone", "phone_key"), ("mobile", "mobile_key"))),
                              ("Customer", (("phone", "phone_key"),))):
        model = apps.get_model("registry", model_name)
        sources = [source for source, _key in pairs]
        rows = model.objects.exclude(**{f"{sources[0]}": ""}) if len(sources) == 1 else model.objects.all()
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).order_by("pk").only("pk", *sources)[:BATCH])
            if not batch:
                break
            for row in batch:
                for source, key in pairs:
                    setattr(row, key, phone_key(getattr(row, source) or "")[:32])
            model.objects.bulk_update(batch, [key for _source, key in pairs])
            last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_phone_keys_and_dealer_contacts")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
