"""`shouhou mail ingest` as the MTA runs it: a real child process reading the message on standard input,
against its own migrated database (SQLite in a temp data dir, or a fresh PostgreSQL database)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Sites
from tests.mail.conftest import eml


@pytest.fixture(scope="module")
def child_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A data dir (and database) as `serve` leaves it, for the module's `mail ingest` runs."""
    sites = Sites()
    data_dir = tmp_path_factory.mktemp("mail-cli") / "var"
    database_url, _ = sites.prepare(data_dir)
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir), "SHOUHOU_MAIL_MAX_KB": "100",
           "DEFAULT_FROM_EMAIL": "售后服务 <service@shouhou.example.cn>"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    yield env
    sites.drop()


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
