import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from shouhou.core import env


def test_envbool_rejects_a_typo(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env.envbool("DEBUG", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_envbool_reads_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.envbool("X_FLAG", not expected) is expected


def test_env_reads_a_file_named_by_the_file_variable(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("from-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(path))
    assert env.env("SOME_SECRET") == "from-file"


def test_secret_key_is_generated_once_with_owner_only_permissions(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    second = env.secret_key(tmp_path)
    assert first == second
    assert not env.insecure_secret(first)
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 60, "a" * 60])
def test_insecure_keys_are_recognised(key):
    assert env.insecure_secret(key)


def test_email_url_is_parsed_into_smtp_settings():
    from shouhou.core.settings import _email_settings

    conf = _email_settings("smtp+tls://robot%40vendor.cn:p%40ss@smtp.vendor.cn:587?timeout=5")
    assert conf["EMAIL_HOST"] == "smtp.vendor.cn"
    assert conf["EMAIL_PORT"] == 587
    assert conf["EMAIL_HOST_USER"] == "robot@vendor.cn"
    assert conf["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert conf["EMAIL_USE_TLS"] is True
    assert conf["EMAIL_TIMEOUT"] == 5


def test_email_url_with_an_unknown_scheme_is_refused():
    from shouhou.core.settings import _email_settings

    with pytest.raises(ImproperlyConfigured):
        _email_settings("imap://mail.example.cn")


def test_production_settings_are_chinese_and_shanghai(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.AUTH_USER_MODEL == "core.User"


@pytest.mark.postgres_only
def test_postgres_connections_run_without_jit(db):
    """Compiling the report aggregates cost more than running them (bench/README.md, "Reports")."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: JIT is a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
