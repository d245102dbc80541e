from django.db import migrations

# The rules a fresh installation starts with (shouhou.notify.events); admins change them later.
DEFAULTS = [
    *[(f"rma.{kind}", "dealer", "", True, True) for kind in (
        "return_authorisation", "info_request", "rejection_notice", "cancellation_notice", "quote",
        "shipment_notice", "repair_tracking_sheet", "back_charge")],
    ("deadline.dealer_reminder", "dealer", "", True, True),
    ("deadline.dealer_overdue", "dealer", "", True, True),
    ("deadline.dealer_overdue", "role", "manager", True, True),
    ("deadline.staff_reminder", "named", "", True, True),
    ("deadline.staff_overdue", "named", "", True, True),
    ("deadline.staff_overdue", "role", "manager", True, True),
    ("notify.delivery_failed", "role", "admin", True, False),
    ("notify.test", "named", "", False, True),
    ("account.password_reset", "named", "", False, True),
    ("mail.reply", "named", "", False, True),
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("notify", "Rule")
    for event, audience, role, inbox, email in DEFAULTS:
        Rule.objects.get_or_create(event=event, audience=audience, role=role,
                                   defaults={"inbox": inbox, "email": email})


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_outbox_events_messages_rules")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
