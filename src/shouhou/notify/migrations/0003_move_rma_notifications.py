"""Move the notices the RMA process wrote before the outbox existed (rma.Notification) into it.

Each becomes an event `notify.legacy` (its subject and body kept word for word, its PDF kept)
and one inbox message for its dealer or user, marked read (dealers saw them on the portal).
None was ever mailed; none is mailed now: a flood of stale mail on upgrade would help nobody.
"""

from django.db import migrations


def move(apps, schema_editor):
    Notification = apps.get_model("rma", "Notification")
    Event = apps.get_model("notify", "Event")
    Message = apps.get_model("notify", "Message")
    for old in Notification.objects.select_related("order").order_by("id").iterator(chunk_size=500):
        order = old.order
        data = {"subject": old.subject, "body": old.body, "kind": old.kind}
        if order is not None:
            data.update({"order_id": order.pk, "number": order.number or "",
                         "portal_url": f"/portal/orders/{order.pk}/", "staff_url": f"/rma/orders/{order.pk}/"})
        event = Event.objects.create(
            name="notify.legacy", data=data, dealer_id=old.dealer_id, thread=(order.number or "") if order else "",
            object_type="rma.orderline" if old.line_id else "", object_id=str(old.line_id or ""),
            document=old.kind if old.attachment else "", attachment=old.attachment.name if old.attachment else "",
            key=f"legacy:{old.pk}", created_at=old.created_at)
        Message.objects.create(event=event, transport="inbox", dealer_id=old.dealer_id if not old.user_id else None,
                               user_id=old.user_id, state="sent", sent_at=old.created_at, read_at=old.created_at,
                               created_at=old.created_at)


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_default_rules"), ("rma", "0001_service_orders_lines_quotes_shipments")]
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
