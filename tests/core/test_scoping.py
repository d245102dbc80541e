import pytest
from django.contrib.auth.models import AnonymousUser

from shouhou.core.scoping import get_for, scoped
from shouhou.domain.errors import NotFound
from shouhou.registry.models import Dealer

pytestmark = pytest.mark.django_db


def test_dealer_user_sees_only_its_own_dealer(alice, dealer_a, dealer_b):
    assert list(scoped(alice, Dealer)) == [dealer_a]


def test_staff_sees_every_dealer(service_center, dealer_a, dealer_b):
    assert set(scoped(service_center, Dealer)) == {dealer_a, dealer_b}


def test_anonymous_sees_nothing(dealer_a):
    assert list(scoped(AnonymousUser(), Dealer)) == []


def test_user_without_a_role_sees_nothing(dealer_a):
    from shouhou.core.models import User

    nobody = User.objects.create_user("nobody", password="x")
    assert list(scoped(nobody, Dealer)) == []


def test_inactive_dealer_user_sees_nothing(alice, dealer_a):
    alice.is_active = False
    assert list(scoped(alice, Dealer)) == []


def test_other_dealers_object_is_not_found(alice, dealer_b):
    with pytest.raises(NotFound):
        get_for(alice, Dealer, code=dealer_b.code)


def test_missing_and_forbidden_look_the_same(alice, dealer_b):
    with pytest.raises(NotFound) as forbidden:
        get_for(alice, Dealer, code=dealer_b.code)
    with pytest.raises(NotFound) as missing:
        get_for(alice, Dealer, code="NO-SUCH")
    assert str(forbidden.value) == str(missing.value)


def test_scoping_a_nested_path(alice, bob, dealer_a):
    from shouhou.core.models import AuditEvent
    from shouhou.core.services import audit_record

    audit_record(dealer_a, "dealer.noted", actor=None)
    seen = scoped(alice, AuditEvent).filter(verb="dealer.noted")
    assert seen.count() == 1
    assert scoped(bob, AuditEvent).filter(verb="dealer.noted").count() == 0


def test_a_model_without_dealer_scope_cannot_be_scoped(alice):
    from shouhou.core.models import ApiToken

    with pytest.raises(TypeError, match="dealer_scope"):
        scoped(alice, ApiToken)


def test_dealer_user_bound_to_a_dealer_is_never_staff(make_user, dealer_a):
    from django.contrib.auth.models import Group

    user = make_user("dealer", dealer=dealer_a)
    user.groups.add(Group.objects.get_or_create(name="manager")[0])  # a mistake in the admin
    user.refresh_from_db()
    assert not user.is_vendor_staff
    assert list(scoped(user, Dealer)) == [dealer_a]
