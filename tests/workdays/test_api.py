"""GET /api/v1/calendar/due and /api/v1/calendar/{year}/{month}: public, same JSON as the CLI."""

from datetime import date

import pytest

from shouhou.workdays.services import company_day_save

pytestmark = pytest.mark.django_db


def test_due_returns_the_deadline_and_whether_it_is_provisional(client):
    response = client.get("/api/v1/calendar/due", {"start": "2025-09-30", "working_days": "3"})
    assert response.status_code == 200
    assert response.json() == {"start": "2025-09-30T00:00:00+08:00", "working_days": 3,
                               "due": "2025-10-11T18:30:00+08:00", "provisional": False}
    provisional = client.get("/api/v1/calendar/due", {"start": "2027-01-29T09:00", "working_days": "3"}).json()
    assert provisional["due"] == "2027-02-02T18:30:00+08:00" and provisional["provisional"] is True


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2025-09-31", "working_days": "3"}, "start"),
    ({"start": "yesterday", "working_days": "3"}, "start"),
    ({"start": "2025-09-30", "working_days": "-2"}, "working_days"),
    ({"start": "2025-09-30", "working_days": "3.5"}, "working_days"),
])
def test_due_rejects_bad_input_with_422_naming_the_field(client, params, field):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field and body["detail"]


def test_due_without_parameters_is_422(client):
    assert client.get("/api/v1/calendar/due").status_code == 422


def test_month_lists_each_day_like_the_cli(client, admin_user):
    company_day_save(actor=admin_user, day=date(2025, 10, 9), kind="company_off", name="团建")
    days = client.get("/api/v1/calendar/2025/10").json()
    assert len(days) == 31
    assert days[0] == {"date": "2025-10-01", "kind": "holiday", "name": "国庆节、中秋节", "working": False}
    assert days[8] == {"date": "2025-10-09", "kind": "company_off", "name": "团建", "working": False}
    assert days[10]["kind"] == "makeup" and days[10]["working"] is True


def test_an_unknown_month_is_422(client):
    response = client.get("/api/v1/calendar/2025/13")
    assert response.status_code == 422
    assert response.json()["field"] == "month"


def test_month_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    client.get("/api/v1/calendar/2025/10")
    with django_assert_max_num_queries(6):
        client.get("/api/v1/calendar/2025/11")
