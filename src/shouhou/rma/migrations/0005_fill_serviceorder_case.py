"""Link orders to the case their typed case number names; numbers that name no case are kept in
the order's audit trail (the `order.submitted` event), where they already are."""

from django.db import migrations


def fill(apps, schema_editor):
    ServiceOrder = apps.get_model("rma", "ServiceOrder")
    Case = apps.get_model("cases", "Case")
    numbers = {n.strip().upper() for n in ServiceOrder.objects.exclude(case_number="")
               .values_list("case_number", flat=True)}
    cases = dict(Case.objects.filter(number__in=numbers).values_list("number", "pk"))
    for order in ServiceOrder.objects.exclude(case_number="").only("pk", "case_number"):
        case_id = cases.get(order.case_number.strip().upper())
        if case_id is not None:
            ServiceOrder.objects.filter(pk=order.pk).update(case_id=case_id)


class Migration(migrations.Migration):

    dependencies = [
        ("rma", "0004_serviceorder_case"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
