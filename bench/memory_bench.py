"""Memory: does a process that runs a ``Predict`` many times keep growing?

    python bench/memory_bench.py                 # 10,000 executions against the stub server
    python bench/memory_bench.py --n 2000        # fewer
    python bench/memory_bench.py --async         # Predict.acall, 64 at a time, on one event loop

One process: warm up, collect garbage, read the resident set size (RSS), run ``n`` executions of
a ``Predict`` with the LM cache off against the stub server, collect again and read RSS once more.
Reports both RSS values and the growth in percent.

The warm-up runs until every bounded buffer is full: each LM keeps the last calls in
``lm.history`` (DSPy's ``inspect_history``; 10,000 entries, trimmed back when it reaches 11,000),
about 2 KB a call for this prompt. Before that point RSS grows by design; the RSS at the start of
the warm-up is reported too (``rss_start_mb``), so that filling shows. ``engine_bench.py`` runs
this in a child process, so that nothing else it does (importing dspy, other measurements) counts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
from pathlib import Path
from typing import Any

from _common import stub_server

ANSWER = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"


def rss_bytes() -> int:
    """This process's resident set size, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def history_bound() -> int:
    """Calls after which ``lm.history`` has reached its largest size (it trims at bound + 1000)."""
    from dspex.lm import lm as lm_module

    return int(getattr(lm_module, "MAX_HISTORY", 10_000)) + 1_000 + 1


def measure(base_url: str, n: int = 10_000, warmup: int | None = None) -> dict[str, Any]:
    """RSS before and after ``n`` executions (after ``warmup`` ones, by default enough to fill the
    LM's bounded history), and the growth in percent."""
    import dspex

    warmup = history_bound() if warmup is None else warmup
    lm = dspex.LM("openai/stub-model", base_url=base_url, api_key_env="BENCH_STUB_KEY", cache=False)
    predict = dspex.Predict("question -> answer")
    for index in range(100):  # first-call imports, pools, caches
        predict(question=f"start {index}", lm=lm)
    gc.collect()
    start = rss_bytes()
    for index in range(warmup):
        predict(question=f"warm-up {index}", lm=lm)
    gc.collect()
    before = rss_bytes()
    for index in range(n):
        predict(question=f"question {index}", lm=lm)
    gc.collect()
    after = rss_bytes()
    return _result(n, warmup, start, before, after)


def measure_async(
    base_url: str, n: int = 10_000, warmup: int | None = None, concurrency: int = 64
) -> dict[str, Any]:
    """:func:`measure` for ``Predict.acall``, ``concurrency`` calls in flight on one event loop
    (the async HTTP client's connections, timers and futures)."""
    import dspex

    warmup = history_bound() if warmup is None else warmup
    lm = dspex.LM("openai/stub-model", base_url=base_url, api_key_env="BENCH_STUB_KEY", cache=False)
    predict = dspex.Predict("question -> answer")

    async def run(count: int, label: str) -> None:
        numbers = iter(range(count))

        async def worker() -> None:
            for index in numbers:
                await predict.acall(question=f"{label} {index}", lm=lm)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def phases() -> tuple[int, int, int]:
        await run(200, "start")
        gc.collect()
        start = rss_bytes()
        await run(warmup, "warm-up")
        gc.collect()
        before = rss_bytes()
        await run(n, "question")
        gc.collect()
        return start, before, rss_bytes()

    start, before, after = asyncio.run(phases())
    return _result(n, warmup, start, before, after)


def _result(n: int, warmup: int, start: int, before: int, after: int) -> dict[str, Any]:
    return {
        "executions": n,
        "warmup": warmup,
        "rss_start_mb": round(start / 2**20, 2),
        "rss_before_mb": round(before / 2**20, 2),
        "rss_after_mb": round(after / 2**20, 2),
        "growth_pct": round((after - before) / before * 100, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, help="default: until the LM's history is full")
    parser.add_argument("--base-url", help="use this stub server instead of starting one")
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    parser.add_argument("--async", dest="use_async", action="store_true", help="Predict.acall, 64 at a time")
    args = parser.parse_args()
    run = measure_async if args.use_async else measure
    if args.base_url:
        result = run(args.base_url, args.n, args.warmup)
    else:
        with stub_server(default=ANSWER) as base_url:
            result = run(base_url, args.n, args.warmup)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['executions']} Predict{'.acall' if args.use_async else ''} executions (cache off) "
        f"after {result['warmup']} warm-up "
        f"(RSS {result['rss_start_mb']} MB at its start): RSS {result['rss_before_mb']} MB -> "
        f"{result['rss_after_mb']} MB ({result['growth_pct']:+.2f}%)"
    )


if __name__ == "__main__":
    main()
