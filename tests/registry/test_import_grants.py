"""The units import as an ordinary PostgreSQL role: correct without special grants.

A fresh database owned by a new LOGIN role (no superuser, no `SET ON PARAMETER` grant) is
migrated and imported into by child processes running as that role. Checking foreign keys once
per key (`session_replication_role = replica`) is opt-in (SHOUHOU_IMPORT_FK_CHECKS_ONCE): by
default the import never asks for it; asked for without the grant, it falls back to the per-row
checks; with the grant, it is used. Every way, the same units are written and the foreign keys
still hold afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .import_helpers import DEALERS, MODELS, UNIT_HEADER, write_csv

pytestmark = pytest.mark.postgres_only

# Runs one import in the child, recording the SQL it sends, and reports what it wrote.
CHILD = r"""
import json, os, sys
import django
django.setup()
from django.db import connection
from shouhou.registry.imports import run_import
from shouhou.registry.models import Unit

seen = []
def record(execute, sql, params, many, context):
    seen.append(sql)
    return execute(sql, params, many, context)

with connection.execute_wrapper(record):
    results = [run_import(kind, path) for kind, path in zip(sys.argv[1::2], sys.argv[2::2])]
with connection.cursor() as cur:
    cur.execute("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    user, superuser = cur.fetchone()
    cur.execute("SHOW session_replication_role")
    role = cur.fetchone()[0]
print(json.dumps({
    "results": [[r.rows, r.created, r.updated, r.rejected, r.written] for r in results],
    "units": sorted(Unit.objects.values_list("serial", "product_model__code", "dealer__code", "replaces__serial")),
    "replica_tried": any("session_replication_role = replica" in s for s in seen),
    "role_after": role, "user": user, "superuser": superuser,
}))
"""


@pytest.fixture
def own_role_database(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(database URL as the new role, admin URL of that database, role name)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL only: roles and grants")
    import psycopg

    suffix = uuid.uuid4().hex[:10]
    role, name = f"shouhou_plain_{suffix}", f"shouhou_grants_{suffix}"
    base = url.rsplit("/", 1)[0]
    host = base.split("@", 1)[1]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
    try:
        yield f"postgresql://{role}@{host}/{name}", f"{base}/{name}", role
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'REVOKE SET ON PARAMETER session_replication_role FROM "{role}"')  # else DROP ROLE refuses
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def child(env: dict[str, str], *kinds_and_paths: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, *kinds_and_paths], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_units_import_is_correct_as_a_plain_role_and_asks_for_the_replica_role_only_when_told(
        own_role_database, tmp_path):
    import psycopg

    role_url, admin_url, role = own_role_database
    env = {**os.environ, "DATABASE_URL": role_url, "SHOUHOU_DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
    env.pop("SHOUHOU_IMPORT_FK_CHECKS_ONCE", None)
    subprocess.run([sys.executable, "-m", "shouhou", "manage", "migrate", "-v", "0"], env=env, check=True)
    reference = ["models", str(write_csv(tmp_path / "models.csv", MODELS)),
                 "dealers", str(write_csv(tmp_path / "dealers.csv", DEALERS))]

    def units(tag: str) -> str:
        rows = [[f"SN-{tag}-{i:03d}", "AB-1" if i % 2 else "CD-2", "2024-01-02", "", "GX-A01", "南宁", "网吧", ""]
                for i in range(30)]
        rows.append([f"SN-{tag}-NEW", "AB-1", "", "", "GD-B02", "", "", f"SN-{tag}-001"])
        return str(write_csv(tmp_path / f"units-{tag}.csv", [UNIT_HEADER, *rows]))

    default = child(env, *reference, "units", units("A"))
    assert (default["user"], default["superuser"]) == (role, False)
    assert default["results"][-1] == [31, 31, 0, 0, True]
    assert not default["replica_tried"]  # by default it never asks for what a plain role may not set
    assert ("SN-A-NEW", "AB-1", "GD-B02", "SN-A-001") in [tuple(u) for u in default["units"]]

    asked = child({**env, "SHOUHOU_IMPORT_FK_CHECKS_ONCE": "1"}, "units", units("B"))
    assert asked["replica_tried"]  # refused by the server: the per-row checks ran instead
    assert asked["results"] == [[31, 31, 0, 0, True]]
    assert asked["role_after"] == "origin"

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'GRANT SET ON PARAMETER session_replication_role TO "{role}"')
    granted = child({**env, "SHOUHOU_IMPORT_FK_CHECKS_ONCE": "1"}, "units", units("C"))
    assert granted["replica_tried"] and granted["results"] == [[31, 31, 0, 0, True]]
    assert granted["role_after"] == "origin"
    assert len(granted["units"]) == 93

    with psycopg.connect(role_url) as conn:  # every foreign key still holds, and is still enforced
        orphans = conn.execute(
            "SELECT COUNT(*) FROM registry_unit u LEFT JOIN registry_productmodel m ON m.id = u.product_model_id "
            "LEFT JOIN registry_dealer d ON d.id = u.dealer_id LEFT JOIN registry_unit r ON r.id = u.replaces_id "
            "WHERE m.id IS NULL OR (u.dealer_id IS NOT NULL AND d.id IS NULL) "
            "OR (u.replaces_id IS NOT NULL AND r.id IS NULL)").fetchone()[0]
        assert orphans == 0
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's foreign keys are deferred to commit
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("DELETE FROM registry_productmodel WHERE code = 'AB-1'")
