"""`shouhou backup` and `shouhou restore`: the database and the data dir's files in one tar archive.

The archive holds

- ``database/shouhou.sqlite3`` (SQLite, copied with SQLite's online backup API, so a copy taken
  while web and worker write is consistent) or ``database/shouhou.pgdump`` (``pg_dump -Fc``, one
  snapshot);
- ``files/…``: every file of the data dir (uploads under ``media/``, the generated secret key, mail
  written to files) except the database itself, collected static files and the cache, which are
  made again;
- ``manifest.json`` last: versions (Shouhou, Django, Python, database server, pg_dump), the
  applied migrations, the row count of every table and the sha256 and size of every member.

The counts and the migration state are read from the same snapshot as the copy: from the copied
SQLite file, or on PostgreSQL in a REPEATABLE READ transaction whose snapshot ``pg_dump --snapshot``
then dumps. The database is copied before the files, so every file a copied row names was already
written (uploads are saved before their row commits); a file written later is simply extra.

``restore`` reads the whole archive and checks every member's checksum before it writes anything,
then fills an empty data dir or an empty database (refusing anything else) and compares the
restored row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/shouhou.sqlite3"
PG_MEMBER = "database/shouhou.pgdump"
FILES = "files/"
# Made again by `serve`/`collectstatic` or harmless to lose; never part of a backup.
SKIPPED_DIRS = {"static", "cache"}
CHUNK = 1 << 20


class BackupError(Exception):
    """An expected failure with a message for the operator (exit status 2)."""


@dataclass
class Summary:
    archive: Path
    members: int = 0
    files: int = 0
    rows: int = 0
    tables: int = 0
    counts: dict[str, int] = field(default_factory=dict)


# --- helpers --------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Reads at most LIMIT bytes of FH, hashing what it hands out (what goes into the tar)."""

    def __init__(self, fh: IO[bytes], limit: int) -> None:
        self.fh, self.left, self.digest = fh, limit, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.fh.read(size)
        self.left -= len(data)
        self.digest.update(data)
        return data


def _database() -> dict[str, Any]:
    from django.conf import settings

    return settings.DATABASES["default"]


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _data_files(data_dir: Path, exclude: set[Path]) -> Iterator[Path]:
    """Every regular file under DATA_DIR but the skipped directories and EXCLUDE, in a stable order."""
    for root, dirs, names in os.walk(data_dir):
        here = Path(root)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        dirs.sort()
        for name in sorted(names):
            path = here / name
            if path in exclude or not path.is_file() or path.is_symlink():
                continue
            yield path


def _sqlite_paths(name: str) -> set[Path]:
    base = Path(name).resolve()
    return {base, Path(f"{base}-wal"), Path(f"{base}-shm"), Path(f"{base}-journal")}


def _sqlite_state(path: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts of every table and the applied migrations, read from the SQLite file PATH."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        migrations = []
        if "django_migrations" in counts:
            migrations = [f"{app}.{name}" for app, name in conn.execute(
                "SELECT app, name FROM django_migrations ORDER BY app, name")]
        return counts, migrations
    finally:
        conn.close()


def _pg_state(cursor: Any) -> tuple[dict[str, int], list[str]]:
    from django.db import connection

    tables = sorted(connection.introspection.table_names(cursor))
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return counts, migrations


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for the configured database (no password on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
                          f"major version or newer (Debian: apt-get install postgresql-client) and try again.")
    return found


def _tool_version(path: str) -> str:
    done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


# --- backup ---------------------------------------------------------------------------------------
@contextmanager
def _pg_snapshot() -> Iterator[tuple[str, dict[str, int], list[str], str]]:
    """A REPEATABLE READ transaction held open: its exported snapshot, counts, migrations, server version."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        counts, migrations = _pg_state(cursor)
        yield snapshot, counts, migrations, server_version


def backup(output: Path) -> Summary:
    """Write the archive to OUTPUT (written under a temporary name, then renamed; mode 0600).
    Raises BackupError for an expected problem (no database yet, pg_dump missing or failing)."""
    import django
    from django.conf import settings

    import shouhou

    db = _database()
    vendor = _vendor()
    data_dir = Path(settings.DATA_DIR).resolve()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"shouhou": shouhou.__version__, "django": django.get_version(),
                     "python": platform.python_version()},
        "database": {"vendor": vendor}, "members": {},
    }
    with tempfile.TemporaryDirectory(prefix="shouhou-backup-", dir=output.parent) as work:
        work_dir = Path(work)
        exclude = {output}
        if vendor == "sqlite":
            source = Path(db["NAME"]).resolve()
            if not source.exists():
                raise BackupError(f"There is no database at {source} yet: nothing to back up.")
            exclude |= _sqlite_paths(str(source))
            copy = work_dir / "shouhou.sqlite3"
            src, dst = sqlite3.connect(source, timeout=60), sqlite3.connect(copy)
            try:
                src.backup(dst)  # one step: a consistent copy while others write (WAL)
            finally:
                dst.close()
                src.close()
            counts, migrations = _sqlite_state(copy)
            manifest["database"]["version"] = "SQLite " + sqlite3.sqlite_version
            db_member, db_file = SQLITE_MEMBER, copy
        elif vendor == "postgresql":
            pg_dump = _tool("pg_dump")
            db_file = work_dir / "shouhou.pgdump"
            with _pg_snapshot() as (snapshot, counts, migrations, server_version):
                done = subprocess.run(
                    [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                     f"--file={db_file}"], env=_pg_env(db), capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            manifest["database"]["version"] = f"PostgreSQL {server_version}"
            manifest["versions"]["pg_dump"] = _tool_version(pg_dump)
            db_member = PG_MEMBER
        else:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
        manifest["database"].update({"counts": counts, "migrations": migrations})

        summary = Summary(archive=output, counts=counts, tables=len(counts), rows=sum(counts.values()))
        partial = output.with_name(f".{output.name}.partial")
        mode = "w:gz" if output.name.endswith((".tar.gz", ".tgz")) else "w"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=mode) as tar:  # type: ignore[call-overload]
                _add(tar, manifest, db_member, db_file)
                for path in _data_files(data_dir, exclude | {partial}):
                    if _add(tar, manifest, FILES + path.relative_to(data_dir).as_posix(), path):
                        summary.files += 1
                body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
                tar.addfile(info, io.BytesIO(body))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    summary.members = len(manifest["members"]) + 1
    return summary


def _add(tar: tarfile.TarFile, manifest: dict[str, Any], name: str, path: Path) -> bool:
    """Add PATH as NAME, recording its sha256; False when the file vanished meanwhile."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return False
    with fh:
        stat = os.fstat(fh.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(fh, stat.st_size)
        tar.addfile(info, reader)
    manifest["members"][name] = {"sha256": reader.digest.hexdigest(), "size": stat.st_size}
    return True


def default_output() -> Path:
    return Path.cwd() / f"shouhou-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar"


# --- restore --------------------------------------------------------------------------------------
def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("This archive has no manifest.json: it was not written by `shouhou backup`.") from None
    fh = tar.extractfile(member)
    assert fh is not None
    try:
        manifest = json.loads(fh.read())
    except ValueError as exc:
        raise BackupError(f"The archive's manifest.json is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Archive format {manifest.get('format')!r} is not one this version reads ({FORMAT}).")
    return manifest


def verify(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Check every member against the manifest (and that nothing is missing or added)."""
    expected = dict(manifest["members"])
    for member in tar:
        if member.name == MANIFEST:
            continue
        if member.name not in expected:
            raise BackupError(f"{member.name} is in the archive but not in its manifest.")
        if not member.isfile() or _unsafe(member.name):
            raise BackupError(f"{member.name} is not a plain file inside the archive.")
        fh = tar.extractfile(member)
        assert fh is not None
        digest = hashlib.sha256()
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
        want = expected.pop(member.name)
        if digest.hexdigest() != want["sha256"] or member.size != want["size"]:
            raise BackupError(f"{member.name}: checksum mismatch, the archive is damaged. Nothing was restored.")
    if expected:
        raise BackupError(f"Missing from the archive: {', '.join(sorted(expected))}. Nothing was restored.")


def _unsafe(name: str) -> bool:
    parts = Path(name).parts
    return name.startswith("/") or ".." in parts


def _target_problems(data_dir: Path) -> list[str]:
    """Why the configured database or data dir is not an empty target (empty list: it is)."""
    from django.db import connection

    problems = []
    tables = connection.introspection.table_names()
    if tables:
        where = _database()["NAME"]
        problems.append(f"the database {where} already has {len(tables)} tables")
    files = [p for p in _data_files(data_dir, _sqlite_paths(str(_database()["NAME"])) if _vendor() == "sqlite"
                                    else set())
             if p.relative_to(data_dir).as_posix() != "secret_key"]
    if files:
        problems.append(f"the data directory {data_dir} already holds files ({files[0].relative_to(data_dir)}, …)")
    return problems


def restore(archive: Path) -> Summary:
    """Restore ARCHIVE into the configured (empty) database and data dir. Raises BackupError when the
    archive is unreadable or damaged, is for the other kind of database, or the target is not empty."""
    from django.conf import settings
    from django.db import connection

    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    data_dir = Path(settings.DATA_DIR).resolve()
    with _open_archive(archive) as tar:
        manifest = read_manifest(tar)
        try:
            verify(tar, manifest)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive} is damaged: {exc}. Nothing was restored.") from exc
        vendor = _vendor()
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(f"This archive holds a {manifest['database']['vendor']} database; the configured "
                              f"database is {vendor}. Restore it with the same kind of database.")
        problems = _target_problems(data_dir)
        if problems:
            raise BackupError("Restore needs an empty target, but " + "; ".join(problems) + ". Nothing was restored.")

        data_dir.mkdir(parents=True, exist_ok=True)
        summary = Summary(archive=archive)
        with tempfile.TemporaryDirectory(prefix="shouhou-restore-", dir=data_dir) as work:
            if vendor == "sqlite":
                _restore_sqlite(tar, Path(work))
            else:
                _restore_pg(tar, Path(work))
            connection.close()
            for member in tar.getmembers():
                if not member.name.startswith(FILES):
                    continue
                target = data_dir / member.name[len(FILES):]
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
                os.utime(target, (member.mtime, member.mtime))
                summary.files += 1
    counts = _restored_counts()
    wanted = manifest["database"]["counts"]
    different = {t: (wanted.get(t), counts.get(t)) for t in set(wanted) | set(counts) if wanted.get(t) != counts.get(t)}
    if different:
        raise BackupError(f"Restored row counts differ from the manifest: {different}")
    summary.counts, summary.tables, summary.rows = counts, len(counts), sum(counts.values())
    summary.members = len(manifest["members"]) + 1
    return summary


@contextmanager
def _open_archive(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, mode="r:*")  # noqa: SIM115 - closed below; opening is what may fail
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable tar archive: {exc}") from exc
    with tar:
        yield tar


def _restore_sqlite(tar: tarfile.TarFile, work: Path) -> None:
    from django.db import connection

    target = Path(_database()["NAME"]).resolve()
    connection.close()
    staged = work / "shouhou.sqlite3"
    source = tar.extractfile(SQLITE_MEMBER)
    assert source is not None
    with staged.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    for leftover in _sqlite_paths(str(target)):  # an empty file Django created on connecting
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)
    os.chmod(target, 0o600)


def _restore_pg(tar: tarfile.TarFile, work: Path) -> None:
    from django.db import connection

    pg_restore = _tool("pg_restore")
    staged = work / "shouhou.pgdump"
    source = tar.extractfile(PG_MEMBER)
    assert source is not None
    with staged.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    connection.close()
    db = _database()
    done = subprocess.run(
        [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={db['NAME']}", str(staged)], env=_pg_env(db), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {done.stderr.strip()}")


def _restored_counts() -> dict[str, int]:
    from django.db import connection

    if _vendor() == "sqlite":
        connection.close()
        return _sqlite_state(Path(_database()["NAME"]))[0]
    with connection.cursor() as cursor:
        return _pg_state(cursor)[0]


def print_summary(summary: Summary, verb: str, out: IO[str] = sys.stdout) -> None:
    out.write(f"{verb} {summary.archive}: {summary.tables} tables, {summary.rows} rows, {summary.files} files\n")
