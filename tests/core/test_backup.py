"""`shouhou backup` under write load and `shouhou restore` into an empty target (core/backup.py).

Real processes: a writer saves service orders with an uploaded topology diagram in a loop while
`shouhou backup` runs; the archive is restored into an empty data dir (SQLite) or an empty
PostgreSQL database, and every record and file is compared with the manifest and the source.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d5fb4c0000000049454e44ae426082")

SEED = """
from shouhou.core.services import user_create
from shouhou.registry.models import Dealer
Dealer.objects.create(code="GX-BK01", name="南宁备份测试电脑", email="bk@dealer.cn")
user_create(username="bk", role="service_center", password="Correct-Horse-42")
"""

# Saves a draft service order with a topology upload (a row, a file, an audit event) again and
# again until STOP exists; its progress file says how many it has saved.
WRITER = """
import os, pathlib
from django.core.files.base import ContentFile
from shouhou.core.models import User
from shouhou.registry.models import Dealer
from shouhou.rma.services import order_save_draft
dealer, actor = Dealer.objects.get(code="GX-BK01"), User.objects.get(username="bk")
stop, progress = pathlib.Path(os.environ["STOP"]), pathlib.Path(os.environ["PROGRESS"])
png = bytes.fromhex(os.environ["PNG"])
n = 0
while not stop.exists():
    n += 1
    order_save_draft(dealer=dealer, actor=actor, contact_name=f"联系人{n}", lines=[
        {"serial": "", "fault": f"第 {n} 台无法开机", "topology": ContentFile(png + str(n).encode(), name="t.png")}])
    # Written whole, then renamed: a reader never sees the file half written (empty).
    progress.with_suffix('.tmp').write_text(str(n))
    progress.with_suffix('.tmp').replace(progress)
"""

STATE = """
import json, hashlib
from django.db import connection
from shouhou.rma.models import OrderLine, ServiceOrder
from django.core.files.storage import default_storage
lines = {}
for line in OrderLine.objects.exclude(topology=""):
    with default_storage.open(line.topology.name, "rb") as fh:
        lines[line.topology.name] = hashlib.sha256(fh.read()).hexdigest()
print(json.dumps({"orders": sorted(ServiceOrder.objects.values_list("id", flat=True)), "topologies": lines,
                  "tables": sorted(connection.introspection.table_names())}))
"""


def shouhou(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "shouhou", *args], env=env, capture_output=True, text=True,
                          timeout=900)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _pg_database() -> Iterator[str | None]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"shouhou_bk_{uuid.uuid4().hex[:10]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def target_url() -> Iterator[str | None]:
    yield from _pg_database()


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "SHOUHOU_DATA_DIR": str(data_dir)}
    for name in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


@pytest.fixture
def source(tmp_path: Path, sites) -> dict[str, str]:
    source_url, _ = sites.prepare(tmp_path / "source")  # migrated, as `serve` leaves it
    env = environment(tmp_path / "source", source_url)
    shouhou(env, "manage", "shell", "-v0", "-c", SEED)
    return env


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]


def test_a_backup_taken_under_write_load_restores_every_record_and_file(source, tmp_path, target_url):
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen([sys.executable, "-m", "shouhou", "manage", "shell", "-v0", "-c", WRITER],
                              env={**source, "STOP": str(stop), "PROGRESS": str(progress), "PNG": PNG.hex()},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not (progress.exists() and progress.read_text() and int(progress.read_text()) >= 5):
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.2)
        before = int(progress.read_text())
        archive = tmp_path / "backup.tar"
        done = shouhou(source, "backup", "--output", str(archive))
        during = int(progress.read_text())
        assert "tables" in done.stdout
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    after = int(progress.read_text())
    assert after > before  # the writer kept writing while the backup ran
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    manifest = manifest_of(archive)
    counts = manifest["database"]["counts"]
    assert before <= counts["rma_serviceorder"] <= during + 1
    assert "core.0004_cache_table" in manifest["database"]["migrations"]
    assert manifest["versions"]["shouhou"] and manifest["database"]["vendor"] in {"sqlite", "postgresql"}

    target_dir = tmp_path / "target"
    target = environment(target_dir, target_url)
    restored = shouhou(target, "restore", str(archive))
    assert "restored" in restored.stdout

    state = json.loads(shouhou(target, "manage", "shell", "-v0", "-c", STATE).stdout)
    source_state = json.loads(shouhou(source, "manage", "shell", "-v0", "-c", STATE).stdout)
    # Every order of the snapshot, none made up: the first COUNT orders of the source, in id order.
    assert len(state["orders"]) == counts["rma_serviceorder"]
    assert state["orders"] == source_state["orders"][:len(state["orders"])]
    assert state["tables"] == sorted(counts)
    # Every topology the restored rows name is there, byte for byte as in the source and the manifest.
    assert len(state["topologies"]) == counts["rma_orderline"]
    for name, digest in state["topologies"].items():
        assert source_state["topologies"][name] == digest
        assert manifest["members"][f"files/media/{name}"]["sha256"] == digest
    # Every file of the archive is in the new data dir with its checksum.
    files = {k[len("files/"):]: v for k, v in manifest["members"].items() if k.startswith("files/")}
    assert files, manifest["members"]
    for relative, entry in files.items():
        assert sha256(target_dir / relative) == entry["sha256"], relative
    assert (target_dir / "secret_key").read_text() == (tmp_path / "source" / "secret_key").read_text()

    # The restored copy is a working install: `check` and a further migrate have nothing to do.
    assert "No migrations to apply" in shouhou(target, "manage", "migrate").stdout

    # Restoring again over it is refused (exit 2), with a message, and changes nothing.
    again = shouhou(target, "restore", str(archive), check=False)
    assert again.returncode == 2
    assert "empty target" in again.stderr and "Traceback" not in again.stderr
    assert json.loads(shouhou(target, "manage", "shell", "-v0", "-c", STATE).stdout)["orders"] == state["orders"]


def test_a_damaged_archive_is_refused_before_anything_is_written(source, tmp_path, target_url):
    archive = tmp_path / "backup.tar"
    shouhou(source, "manage", "shell", "-v0", "-c",
            "from django.core.files.storage import default_storage as s; from django.core.files.base import "
            "ContentFile; s.save('rma/attachments/x.pdf', ContentFile(b'%PDF-1.4 original'))")
    shouhou(source, "backup", "--output", str(archive))
    data = bytearray(archive.read_bytes())
    at = data.find(b"%PDF-1.4 original")
    assert at > 0
    data[at + 9:at + 17] = b"tampered"
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))

    target_dir = tmp_path / "target"
    target = environment(target_dir, target_url)
    refused = shouhou(target, "restore", str(damaged), check=False)
    assert refused.returncode == 2
    assert "files/media/rma/attachments/x.pdf: checksum mismatch" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (target_dir / "media").exists()
    tables = shouhou(target, "manage", "shell", "-v0", "-c",
                     "from django.db import connection; print(len(connection.introspection.table_names()))")
    assert tables.stdout.strip() == "0"

    not_tar = tmp_path / "notes.txt"
    not_tar.write_text("not an archive")
    for bad in (not_tar, tmp_path / "missing.tar"):
        done = shouhou(target, "restore", str(bad), check=False)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("shouhou restore:")


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="pg_dump is used for PostgreSQL only")
def test_a_missing_pg_dump_is_a_clear_message(source, tmp_path):
    env = {**source, "PATH": str(tmp_path / "empty-bin")}
    done = subprocess.run([sys.executable, "-m", "shouhou", "backup", "--output", str(tmp_path / "b.tar")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "pg_dump was not found on PATH" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "b.tar").exists()
