"""Response cache: an in-memory LRU in front of a persistent SQLite file.

Writes go to memory at once and to disk on a background thread that batches them into one
transaction (an fsync per response would cost more than the request). Reads check memory, then
the writes still queued, then the file; a disk hit is promoted to memory. The cache directory is
``$DSPEX_CACHEDIR`` (default ``~/.cache/dspex/lm_cache``); only JSON is stored, never pickles.

Async callers read the cache on the event loop on purpose: a memory hit is a dict lookup, and a
memory miss is one primary-key SELECT (about 8 µs for a miss and 15 µs for a hit on a 100,000-entry
file on the 2-core dev machine), cheaper than a hop to a worker thread. WAL readers never wait for
the writer; only the first read in a thread opens its connection. Writes never touch the disk on
the caller's thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from dspex.lm import _json

__all__ = [
    "CachedResult",
    "DiskCache",
    "LMCache",
    "MemoryCache",
    "configure_lm_cache",
    "get_cache",
    "reset_cache",
]

logger = logging.getLogger(__name__)

Details = tuple[dict[str, Any] | None, ...] | None
CachedResult = tuple[tuple[str, ...], tuple[str | None, ...], str | None, Details]
"""(outputs, finish reasons, response model, details) of a successful response. ``details``: per
completion, what its message carried besides the text (tool calls, reasoning text, citations;
:data:`dspex.lm.response.MESSAGE_EXTRAS`), or ``None`` when no completion carried any."""


def _details_from(data: Any) -> Details:
    if not isinstance(data, list):
        return None
    return tuple(item if isinstance(item, dict) else None for item in data)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses "
    "(key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL) WITHOUT ROWID"
)


def default_directory() -> Path:
    """``$DSPEX_CACHEDIR`` or ``~/.cache/dspex/lm_cache``."""
    configured = os.environ.get("DSPEX_CACHEDIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "dspex" / "lm_cache"


class MemoryCache:
    """A thread-safe LRU mapping of cache keys to results."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, CachedResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedResult | None:
        """The result stored under ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: CachedResult) -> None:
        """Store ``value``, evicting the least recently used entry beyond ``maxsize``."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def after_fork(self) -> None:
        self._lock = threading.Lock()


class DiskCache:
    """Results in a SQLite file (WAL mode, one connection per thread, batched writes)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "responses.sqlite3"
        self._local = threading.local()
        self._cond = threading.Condition()
        self._pending: dict[str, bytes] = {}
        self._writing: dict[str, bytes] = {}
        self._writer: threading.Thread | None = None
        self._idle = False
        self._urgent = False
        self._closed = False
        self.enabled = True
        self.batch_interval = 0.05

    def _connection(self) -> sqlite3.Connection | None:
        conn = getattr(self._local, "conn", None)
        if conn is not None or not self.enabled:
            return conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("LM disk cache disabled, cannot open %s: %s", self.path, exc)
            self.enabled = False
            return None
        self._local.conn = conn
        return conn

    def get(self, key: str) -> CachedResult | None:
        """The result under ``key`` from the write queue or the file (an indexed read)."""
        with self._cond:
            blob = self._pending.get(key) or self._writing.get(key)
        if blob is None:
            conn = self._connection()
            if conn is None:
                return None
            try:
                row = conn.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                logger.warning("LM disk cache read failed: %s", exc)
                return None
            if row is None:
                return None
            blob = row[0]
        try:
            data = _json.loads(blob)
            details = _details_from(data.get("details"))
            return tuple(data["outputs"]), tuple(data["finish_reasons"]), data.get("model"), details
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, value: CachedResult) -> None:
        """Queue ``value`` for the background writer (never waits for the disk)."""
        if not self.enabled:
            return
        outputs, finish_reasons, model, details = value
        record: dict[str, Any] = {"outputs": outputs, "finish_reasons": finish_reasons, "model": model}
        if details is not None:
            record["details"] = details
        blob = _json.dumps(record)
        with self._cond:
            self._pending[key] = blob
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_loop, name="dspex-lm-cache-writer", daemon=True
                )
                self._writer.start()
            if self._idle:
                self._idle = False
                self._cond.notify_all()

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._idle = True
                    self._cond.wait()
                if not self._pending:
                    return
                # Let writes accumulate so that one transaction carries many of them.
                self._cond.wait_for(lambda: self._urgent or self._closed, self.batch_interval)
                self._urgent = False
                self._writing, self._pending = self._pending, {}
                batch = self._writing
            self._write(batch)
            with self._cond:
                self._writing = {}
                self._cond.notify_all()

    def _write(self, batch: dict[str, bytes]) -> None:
        conn = self._connection()
        if conn is None:
            return
        now = time.time()
        rows = [(key, blob.decode(), now) for key, blob in batch.items()]
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            logger.warning("LM disk cache write of %d responses failed: %s", len(rows), exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued write is on disk; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._urgent = True
            self._cond.notify_all()
            while self._pending or self._writing:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._writer is None or not self._writer.is_alive():
                    return False
                self._cond.wait(remaining)
            self._urgent = False
        return True

    def clear(self) -> None:
        self.flush()
        conn = self._connection()
        if conn is not None:
            conn.execute("DELETE FROM responses")

    def close(self) -> None:
        self.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def after_fork(self) -> None:
        """Drop the parent's connections, queue and writer thread (the parent keeps writing)."""
        self._local = threading.local()
        self._cond = threading.Condition()
        self._pending = {}
        self._writing = {}
        self._writer = None
        self._idle = False
        self._urgent = False


class LMCache:
    """Memory LRU + disk, write-through."""

    def __init__(self, directory: Path | None = None, *, maxsize: int = 10_000) -> None:
        self.memory = MemoryCache(maxsize)
        self.disk = DiskCache(directory or default_directory())

    def get(self, key: str) -> CachedResult | None:
        """Memory first, then disk (a disk hit is promoted to memory)."""
        value = self.memory.get(key)
        if value is None:
            value = self.disk.get(key)
            if value is not None:
                self.memory.put(key, value)
        return value

    def put(self, key: str, value: CachedResult) -> None:
        """Write to memory now and to disk in the background."""
        self.memory.put(key, value)
        self.disk.put(key, value)

    def clear_memory(self) -> None:
        self.memory.clear()

    def clear(self) -> None:
        self.memory.clear()
        self.disk.clear()

    def flush(self, timeout: float = 10.0) -> bool:
        return self.disk.flush(timeout)

    def close(self) -> None:
        self.disk.close()

    def after_fork(self) -> None:
        self.memory.after_fork()
        self.disk.after_fork()


_cache: LMCache | None = None
_cache_lock = threading.Lock()


def get_cache() -> LMCache:
    """The process-wide cache, created on first use from ``$DSPEX_CACHEDIR``."""
    cache = _cache
    if cache is None:
        cache = _create_cache()
    return cache


def _create_cache() -> LMCache:
    global _cache
    with _cache_lock:
        if _cache is None:
            _cache = LMCache()
        return _cache


def reset_cache() -> None:
    """Write out and drop the process-wide cache; the next use re-reads ``$DSPEX_CACHEDIR``."""
    global _cache
    with _cache_lock:
        cache, _cache = _cache, None
    if cache is not None:
        cache.close()


def configure_lm_cache(
    *, disk: bool = True, memory: bool = True, directory: Path | None = None, maxsize: int = 10_000
) -> LMCache:
    """Replace the process-wide cache by one with these tiers (the old one is written out):
    ``disk=False`` keeps answers in memory only, ``memory=False`` on disk only, ``directory``
    (default ``$DSPEX_CACHEDIR``) holds the file. Keys are unchanged: still per credential."""
    global _cache
    new = LMCache(directory, maxsize=maxsize if memory else 0)
    new.disk.enabled = disk
    with _cache_lock:
        old, _cache = _cache, new
    if old is not None:
        old.close()
    return new


def _flush_at_exit() -> None:
    cache = _cache
    if cache is not None:
        cache.flush(timeout=5.0)


def _after_fork_in_child() -> None:
    global _cache_lock
    _cache_lock = threading.Lock()
    if _cache is not None:
        _cache.after_fork()


atexit.register(_flush_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
