"""The cache every web process shares when no Redis is configured: a table in our own database.

Rate-limit counters (registry/throttle.py, the password-reset limit) must be one budget across all
web processes, so they cannot live in a process's memory, and a file cache cannot count atomically.
Django's DatabaseCache is shared but not a counter either: its ``incr`` is a read and a write (two
processes lose one of their hits) that also resets the entry's expiry, and every ``add`` counts the
whole table first. This subclass keeps Django's storage format (``get``/``set`` work unchanged) and
gives the two calls a counter makes, ``add`` and ``incr``, one statement each under a row lock:

- ``add``: ``INSERT … ON CONFLICT DO UPDATE … WHERE expired``, so exactly one of several processes
  starts a window, and an expired entry is replaced in the same statement;
- ``incr``: ``SELECT … FOR UPDATE`` then ``UPDATE`` of the value only, in one transaction (SQLite
  takes its write lock at BEGIN, settings' ``transaction_mode = IMMEDIATE``), so no hit is lost.

Expired rows are removed now and then by ``add`` (one call in CULL_EVERY), not by counting the table.
The table is created by migration core 0004_cache_table.
"""

from __future__ import annotations

import base64
import pickle
import random
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone

TABLE = "shouhou_cache"
CULL_EVERY = 200


class DatabaseCache(DjangoDatabaseCache):
    def _prepare(self) -> tuple[str, Any, str]:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        return db, connection, connection.ops.quote_name(self._table)

    @staticmethod
    def _no_fsync(connection: Any, cursor: Any) -> None:
        # A counter or nonce lost in a crash costs nothing; waiting for the WAL flush on every public
        # request costs a disk round trip (PostgreSQL; SQLite runs with synchronous=NORMAL in WAL).
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def _encode(self, value: object) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def add(self, key: str, value: object, timeout: float | None = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        seconds = self.get_backend_timeout(timeout)
        db, connection, table = self._prepare()
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        expires = datetime.max.replace(tzinfo=UTC) if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)
        expires = ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            self._no_fsync(connection, cursor)
            if random.randrange(CULL_EVERY) == 0:
                cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])
            # A new key, or one whose entry expired, is (re)started; a live one is left alone.
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                f"ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                f"WHERE {table}.expires < %s",
                [key, self._encode(value), expires, now],
            )
            return cursor.rowcount == 1

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db, connection, table = self._prepare()
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            self._no_fsync(connection, cursor)
            cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s AND expires >= %s{lock}",
                           [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key {key!r} not found")
            value = pickle.loads(base64.b64decode(row[0].encode()))
            value += delta
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [self._encode(value), key])
        return value
