import pytest
from django.db import DatabaseError, connection, transaction

from shouhou.core.models import AuditEvent
from shouhou.core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(dealer_a, manager):
    return audit_record(dealer_a, "dealer.updated", actor=manager, data={"phone": "0771-1"})


def test_creating_a_user_is_audited(manager, dealer_a):
    created = AuditEvent.objects.filter(verb="user.created", object_id=str(manager.pk)).get()
    assert created.data["role"] == "manager"


def test_event_records_actor_object_and_dealer(event, manager, dealer_a):
    assert event.actor == manager
    assert event.object_type == "registry.dealer"
    assert event.object_id == str(dealer_a.pk)
    assert event.dealer_id == dealer_a.pk


def test_saving_an_existing_event_is_refused(event):
    event.verb = "forged"
    with pytest.raises(PermissionError):
        event.save()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()


def test_database_refuses_update_even_in_raw_sql(event):
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET verb = 'forged' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.verb == "dealer.updated"


def test_admin_can_view_but_not_change_or_delete(client_for, admin_user, event):
    client = client_for(admin_user)
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/admin/core/auditevent/{event.pk}/change/", {"verb": "forged"})
    assert response.status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    changelist = client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert changelist.status_code in {200, 302, 403}
    event.refresh_from_db()
    assert event.verb == "dealer.updated"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_log_page_lists_events_for_managers(client_for, manager, event):
    response = client_for(manager).get("/audit/", {"verb": "dealer."})
    assert response.status_code == 200
    assert "dealer.updated" in response.content.decode()


def test_audit_log_is_hidden_from_other_staff_and_dealers(client_for, service_center, alice):
    assert client_for(service_center).get("/audit/").status_code == 404
    assert client_for(alice).get("/audit/").status_code == 404
