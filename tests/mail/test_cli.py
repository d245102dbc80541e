"""`shouhou mail ingest` as the MTA runs it: a real child process reading the message on standard input,
against its own migrated database (SQLite in a temp data dir, or a fresh PostgreSQL database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mail.conftest import eml


@pytest.fixture(scope="module")
def child_env(tmp_path_factory, request) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("mail-cli")
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir), "SHOUHOU_MAIL_MAX_KB": "100",
           "DEFAULT_FROM_EMAIL": "售后服务 <service@shouhou.example.cn>"}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"shouhou_mailcli_{os.getpid()}"
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        request.addfinalizer(drop)
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "shouhou", "manage", "migrate", "-v", "0"], env=env, check=True)
    return env


def run(env: dict[str, str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "shouhou", "mail", "ingest"], input=data, env=env,
                          capture_output=True)


def rows(env: dict[str, str]) -> list[tuple[str, str, str]]:
    sql = "SELECT message_id, status, reason FROM mail_inboundmessage ORDER BY id"
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    with sqlite3.connect(Path(env["SHOUHOU_DATA_DIR"]) / "shouhou.sqlite3") as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_the_pipe_takes_a_message_once_and_refuses_what_it_cannot_use(child_env):
    first = run(child_env, eml("01_gbk_subject_gb2312_body.eml"))
    assert first.returncode == 0, first.stderr.decode()
    again = run(child_env, eml("01_gbk_subject_gb2312_body.eml"))
    assert again.returncode == 0
    ours = run(child_env, eml("23_own_message.eml"))
    assert ours.returncode == 0
    unusable = run(child_env, eml("25_unusable.eml"))
    assert unusable.returncode == 65
    assert b"not a usable message" in unusable.stderr
    big = run(child_env, eml("16_oversized.eml"))
    assert big.returncode == 65
    assert b"too large" in big.stderr
    assert rows(child_env) == [
        ("<gbk01@mail.cafe-example.cn>", "case_opened", "unknown_sender"),
        ("<own23@shouhou.example.cn>", "ignored", "own_message"),
        ("<big16@dealer-a.cn>", "refused", "too_large"),
    ]


def test_an_unreachable_database_asks_the_mta_to_retry(child_env, tmp_path):
    env = {**child_env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/unreachable"}
    result = run(env, eml("03_utf8_plain.eml"))
    assert result.returncode == 75, result.stderr.decode()
    assert b"retry" in result.stderr
