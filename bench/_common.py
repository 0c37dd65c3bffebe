"""Shared benchmark helpers: stub server subprocesses, timing, machine description, tables."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DSPY_CACHEDIR", str(ROOT / ".cache" / "bench_dspy"))
os.environ.setdefault("DSPEX_CACHEDIR", str(ROOT / ".cache" / "bench_dspex"))
os.environ.setdefault("BENCH_STUB_KEY", "sk-bench")
sys.path.insert(0, str(ROOT))


@contextlib.contextmanager
def stub_server(latency: float = 0.0, default: str = "") -> Iterator[str]:
    """Run ``tests.stubs.openai_stub`` in its own process (off the client's GIL); yield base_url."""
    cmd = [sys.executable, "-m", "tests.stubs.openai_stub", "--no-record", "--latency", str(latency)]
    if default:
        cmd += ["--default", default]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"stub server did not start: {line!r}")
        yield line.split(" ", 1)[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def per_call(fn: Any, n: int, warmup: int = 20, rounds: int = 5) -> float:
    """Seconds per call of ``fn()``: the median over ``rounds`` rounds of ``n // rounds`` calls,
    after ``warmup`` calls (the median keeps one garbage-collection pause from skewing a result)."""
    for _ in range(warmup):
        fn()
    per_round = max(1, n // rounds)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        samples.append((time.perf_counter() - start) / per_round)
    return statistics.median(samples)


def per_call_side_by_side(
    fns: dict[str, tuple[Any, int]], rounds: int = 15, warmup: int = 5
) -> dict[str, float]:
    """Seconds per call of each ``fn()`` in ``fns`` (``name -> (fn, calls per round)``), measured
    in interleaved rounds: round ``r`` times every function once, so a change of machine load
    during the run falls on all of them alike and their ratios stay comparable. Each result is
    the median over the rounds. Like ``timeit``, the garbage collector is off within a round.
    """
    for fn, _ in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    collecting = gc.isenabled()
    try:
        for _ in range(rounds):
            for name, (fn, calls) in fns.items():
                # As timeit does: no garbage collection inside a timed round (it would land on
                # whichever function happens to be running when a generation fills up).
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                for _ in range(calls):
                    fn()
                samples[name].append((time.perf_counter() - start) / calls)
                if collecting:
                    gc.enable()
    finally:
        if collecting:
            gc.enable()
    return {name: statistics.median(found) for name, found in samples.items()}


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def print_table(
    title: str,
    rows: list[tuple[str, str, str, str]],
    headers: tuple[str, str, str, str] = ("measure", "dspex", "dspy / reference", "ratio"),
) -> None:
    print(f"\n{title}")
    header = headers
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M"), **data}
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
