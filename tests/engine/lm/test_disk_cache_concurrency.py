"""The SQLite cache file is shared safely by many threads and by forked processes (Celery prefork
workers): no write is lost, no reader sees an error, nobody waits forever."""

from __future__ import annotations

import logging
import os
import sys
import threading

import pytest

from dspex.lm.cache import CachedResult, DiskCache, get_cache, reset_cache


def result(tag: str) -> CachedResult:
    return ((f"output {tag} ✓",), ("stop",), "stub-model", None)


def fresh_disk_reader() -> DiskCache:
    return DiskCache(get_cache().disk.path.parent)


def test_threads_writing_and_reading_at_once_lose_nothing(caplog):
    cache = get_cache()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(worker: int) -> None:
        try:
            start.wait()
            for i in range(150):
                cache.put(f"t{worker}-{i}", result(f"{worker}-{i}"))
                if i % 10 == 0:
                    cache.clear_memory()  # force reads to go to the queue or the file
                    assert cache.get(f"t{worker}-{i // 2}") == result(f"{worker}-{i // 2}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with caplog.at_level(logging.WARNING, logger="dspex.lm.cache"):
        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert cache.flush()

    assert errors == []
    assert caplog.records == []
    reader = fresh_disk_reader()
    assert all(reader.get(f"t{w}-{i}") == result(f"{w}-{i}") for w in range(8) for i in range(150))


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="needs fork")
def test_forked_processes_writing_to_one_file_lose_nothing():
    parent = get_cache()
    parent.put("before-fork", result("parent"))  # still queued when the children are forked

    children = []
    for child in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                cache = get_cache()
                for i in range(100):
                    cache.put(f"p{child}-{i}", result(f"{child}-{i}"))
                code = 0 if cache.flush(timeout=20) else 2
            finally:
                os._exit(code)
        children.append(pid)
    for i in range(100):
        parent.put(f"parent-{i}", result(f"parent-{i}"))

    exit_codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert parent.flush()

    assert exit_codes == [0, 0, 0, 0]
    reader = fresh_disk_reader()
    assert reader.get("before-fork") == result("parent")
    assert all(reader.get(f"parent-{i}") == result(f"parent-{i}") for i in range(100))
    assert all(reader.get(f"p{c}-{i}") == result(f"{c}-{i}") for c in range(4) for i in range(100))


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="needs fork")
def test_a_child_forked_while_the_writer_is_busy_starts_with_an_empty_queue():
    parent = get_cache()
    for i in range(500):
        parent.put(f"busy-{i}", result(str(i)))

    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        cache = get_cache()
        pending = len(cache.disk._pending) + len(cache.disk._writing)
        flushed = cache.flush(timeout=5)
        os._exit(0 if pending == 0 and flushed else 1)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    assert code == 0
    assert parent.flush()
    reset_cache()
    assert get_cache().get("busy-499") == result("499")
