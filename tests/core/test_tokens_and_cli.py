import io
from contextlib import redirect_stdout

import pytest

from shouhou.core.cli import main
from shouhou.core.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_user_create_from_the_command_line(dealer_a):
    assert main(["user", "create", "huang", "--role", "dealer", "--dealer", dealer_a.code]) == 0
    user = User.objects.get(username="huang")
    assert user.dealer == dealer_a
    assert user.roles == {"dealer"}


def test_dealer_role_needs_a_dealer(capsys):
    assert main(["user", "create", "huang", "--role", "dealer"]) == 2
    assert "代理商" in capsys.readouterr().err
    assert not User.objects.filter(username="huang").exists()


def test_unknown_role_is_refused(capsys):
    assert main(["user", "create", "x", "--role", "boss"]) == 2
    assert "boss" in capsys.readouterr().err


def test_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Long-Enough-Pass-9\n"))
    assert main(["user", "create", "li", "--role", "manager", "--password-stdin"]) == 0
    assert User.objects.get(username="li").check_password("Long-Enough-Pass-9")


def test_token_is_printed_once_and_stored_hashed(client, manager):
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["token", "create", manager.username, "--name", "ERP"]) == 0
    raw = out.getvalue().strip()
    stored = ApiToken.objects.get(user=manager)
    assert raw not in {stored.digest, stored.prefix}
    assert raw.startswith(stored.prefix)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["roles"] == ["manager"]


def test_revoked_token_is_refused(client, manager, token_for):
    raw = token_for(manager)
    prefix = ApiToken.objects.get(user=manager).prefix
    assert main(["token", "revoke", prefix]) == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_wrong_token_is_refused(client, manager):
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer shh_nope"}).status_code == 401


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for name in ["serve", "web", "worker", "user", "token", "manage"]:
        assert name in text
