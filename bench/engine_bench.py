"""Engine benchmark: dspex vs dspy on the same stub server, in one run.

    python bench/engine_bench.py            # full run (a few minutes)
    python bench/engine_bench.py --quick    # fewer calls

Measures: sequential Predict latency (zero-latency server), cache-hit cost (an LM hit, a bare
``Predict.forward`` with the same hit, and a whole ``Predict`` call through the call hooks and the
router), async throughput at concurrency 64 (vs raw httpx on the same server), throughput with
100 ms server latency (dspex async vs dspy with 64 threads and dspy async), and the RSS growth of
10,000 Predict executions in one process (``memory_bench.py``, in a child process). Prints the
ratios the engine's targets are stated in (docs/engine-architecture.md, "Performance").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _common import per_call, per_call_side_by_side, print_table, save, stub_server

ANSWER = "[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"
MODEL = "openai/stub-model"


def dspex_lm(base_url: str, cache: bool = False) -> Any:
    import dspex

    return dspex.LM(MODEL, base_url=base_url, api_key_env="BENCH_STUB_KEY", cache=cache)


def dspy_lm(base_url: str, cache: bool = False) -> Any:
    import dspy

    return dspy.LM(MODEL, api_base=base_url, api_key="sk-bench", cache=cache, num_retries=0)


def sequential(base_url: str, n: int) -> dict[str, float]:
    import dspy

    import dspex

    native = dspex.Predict("question -> answer")
    lm = dspex_lm(base_url)
    native_s = per_call(lambda: native(question="What is the capital of France?", lm=lm), n)
    theirs = dspy.Predict("question -> answer")
    with dspy.context(lm=dspy_lm(base_url)):
        dspy_s = per_call(lambda: theirs(question="What is the capital of France?"), n)
    return {"dspex_ms": native_s * 1e3, "dspy_ms": dspy_s * 1e3}


def cache_hits(base_url: str, n: int) -> dict[str, float]:
    import dspy

    import dspex

    messages = dspex.ChatAdapter().format(
        dspex.Signature("question -> answer"), [], {"question": "What is the capital of France?"}
    )
    lm = dspex_lm(base_url, cache=True)
    native = dspex.Predict("question -> answer")
    theirs_lm = dspy_lm(base_url, cache=True)
    theirs = dspy.Predict("question -> answer")
    question = "What is the capital of France?"

    # Interleaved rounds: the ratios below compare calls timed under the same machine load.
    calls = max(5, n // 20)
    times = per_call_side_by_side(
        {
            "lm": (lambda: lm.request(messages), calls * 10),
            "forward": (lambda: native.forward(question=question, lm=lm), calls * 10),
            "predict": (lambda: native(question=question, lm=lm), calls * 10),
            "dspy_lm": (lambda: theirs_lm(messages=messages), calls),
            "dspy_predict": (lambda: theirs(question=question, lm=theirs_lm), calls),
        },
        rounds=max(15, n // 8),
    )
    lm_hit, forward_hit, predict_hit = times["lm"], times["forward"], times["predict"]
    dspy_lm_hit, dspy_predict_hit = times["dspy_lm"], times["dspy_predict"]
    return {
        "dspex_lm_us": lm_hit * 1e6,
        "dspy_lm_us": dspy_lm_hit * 1e6,
        "dspex_forward_us": forward_hit * 1e6,
        "dspex_predict_us": predict_hit * 1e6,
        "dspy_predict_us": dspy_predict_hit * 1e6,
    }


async def _run_concurrently(call: Any, total: int, concurrency: int) -> float:
    """Calls/s of ``await call(i)`` for ``total`` calls, ``concurrency`` in flight."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await call(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start)


async def raw_httpx_rate(base_url: str, total: int, concurrency: int, sharded: bool = False) -> float:
    """Requests/s of bare ``httpx.AsyncClient.post`` (optionally on dspex's sharded transport)."""
    import httpx

    import dspex
    from dspex.lm.http import ShardedAsyncTransport

    messages = dspex.ChatAdapter().format(dspex.Signature("question -> answer"), [], {"question": "q"})
    body = json.dumps({"model": "stub-model", "messages": messages}).encode()
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    transport = ShardedAsyncTransport() if sharded else None
    async with httpx.AsyncClient(limits=limits, timeout=60, transport=transport) as client:
        headers = {"content-type": "application/json", "authorization": "Bearer sk-bench"}
        url = base_url + "/chat/completions"

        async def call(_: int) -> None:
            response = await client.post(url, content=body, headers=headers)
            response.json()

        await _run_concurrently(call, concurrency * 2, concurrency)  # warm the pool
        return await _run_concurrently(call, total, concurrency)


async def dspex_async_rates(base_url: str, total: int, concurrency: int) -> tuple[float, float]:
    import dspex

    lm = dspex_lm(base_url)
    predict = dspex.Predict("question -> answer")
    messages = dspex.ChatAdapter().format(dspex.Signature("question -> answer"), [], {"question": "q"})

    async def lm_call(_: int) -> None:
        await lm.arequest(messages)

    async def predict_call(i: int) -> None:
        await predict.acall(question=f"q{i}", lm=lm)

    await _run_concurrently(predict_call, concurrency * 2, concurrency)
    lm_rate = await _run_concurrently(lm_call, total, concurrency)
    predict_rate = await _run_concurrently(predict_call, total, concurrency)
    return lm_rate, predict_rate


def dspy_thread_rate(base_url: str, total: int, threads: int) -> float:
    import dspy

    lm = dspy_lm(base_url)
    predict = dspy.Predict("question -> answer")

    def call(i: int) -> None:
        with dspy.context(lm=lm):
            predict(question=f"q{i}")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(threads)))  # warm up
        start = time.perf_counter()
        list(pool.map(call, range(total)))
        return total / (time.perf_counter() - start)


async def dspy_async_rate(base_url: str, total: int, concurrency: int) -> float:
    import dspy

    lm = dspy_lm(base_url)
    predict = dspy.Predict("question -> answer")

    async def call(i: int) -> None:
        with dspy.context(lm=lm):
            await predict.acall(question=f"q{i}")

    await _run_concurrently(call, concurrency, concurrency)
    return await _run_concurrently(call, total, concurrency)


def memory_growth(base_url: str, n: int, use_async: bool = False) -> dict[str, Any]:
    """``memory_bench.py`` in a child process (a fresh interpreter: only dspex is loaded)."""
    script = Path(__file__).with_name("memory_bench.py")
    output = subprocess.run(
        [sys.executable, str(script), "--base-url", base_url, "--n", str(n), "--json"]
        + (["--async"] if use_async else []),
        check=True,
        capture_output=True,
        text=True,
        cwd=script.parent,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


CEILING_100MS = 640.0  # 64 calls in flight / 0.1 s


def targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of docs/engine-architecture.md with its measured ratio and whether it is met."""
    hits = results["cache_hit"]
    seq = results["sequential_predict"]
    slow = results["async_100ms_latency"]
    memory = results["memory"]
    rows = {
        "cache_hit_call_vs_bare_forward": (hits["dspex_predict_us"] / hits["dspex_forward_us"], "<=", 1.25),
        "cache_hit_dspy_vs_dspex_predict": (hits["dspy_predict_us"] / hits["dspex_predict_us"], ">=", 15.0),
        "sequential_dspy_vs_dspex": (seq["dspy_ms"] / seq["dspex_ms"], ">=", 5.0),
        "async_100ms_share_of_ceiling": (slow["dspex_predict_cps"] / CEILING_100MS, ">=", 0.88),
        "memory_growth_pct": (memory["growth_pct"], "<", 5.0),
        "memory_growth_pct_async": (results["memory_async"]["growth_pct"], "<", 5.0),
    }
    met = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b}
    return {
        name: {"measured": round(value, 3), "target": f"{op} {goal}", "met": met[op](value, goal)}
        for name, (value, op, goal) in rows.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 100 if args.quick else 400
    concurrency = 64
    results: dict[str, Any] = {}

    with stub_server(default=ANSWER) as base_url:
        seq = sequential(base_url, n)
        hits = cache_hits(base_url, n)
        total = 1000 if args.quick else 3000
        raw = asyncio.run(raw_httpx_rate(base_url, total, concurrency))
        raw_sharded = asyncio.run(raw_httpx_rate(base_url, total, concurrency, sharded=True))
        lm_rate, predict_rate = asyncio.run(dspex_async_rates(base_url, total, concurrency))
        memory = memory_growth(base_url, 2_000 if args.quick else 10_000)
        memory_async = memory_growth(base_url, 2_000 if args.quick else 10_000, use_async=True)
    with stub_server(latency=0.1, default=ANSWER) as base_url:
        total = 640 if args.quick else 1920
        native_slow = asyncio.run(dspex_async_rates(base_url, total, concurrency))[1]
        dspy_threads = dspy_thread_rate(base_url, total, concurrency)
        dspy_async = asyncio.run(dspy_async_rate(base_url, total, concurrency))

    results = {
        "sequential_predict": seq,
        "cache_hit": hits,
        "async_zero_latency": {
            "raw_httpx_rps": raw,
            "raw_httpx_sharded_rps": raw_sharded,
            "dspex_lm_rps": lm_rate,
            "dspex_predict_rps": predict_rate,
        },
        "async_100ms_latency": {
            "dspex_predict_cps": native_slow,
            "dspy_threads_cps": dspy_threads,
            "dspy_async_cps": dspy_async,
        },
        "memory": memory,
        "memory_async": memory_async,
    }
    results["targets"] = targets(results)
    print_table(
        "Sequential Predict, zero-latency stub (lower is better)",
        [
            (
                "ms/call",
                f"{seq['dspex_ms']:.3f}",
                f"{seq['dspy_ms']:.3f}",
                f"{seq['dspy_ms'] / seq['dspex_ms']:.1f}x faster",
            )
        ],
    )
    print_table(
        "Cache hit (lower is better)",
        [
            (
                "LM call, µs",
                f"{hits['dspex_lm_us']:.1f}",
                f"{hits['dspy_lm_us']:.1f}",
                f"{hits['dspy_lm_us'] / hits['dspex_lm_us']:.0f}x faster",
            ),
            (
                "Predict.forward alone (no hooks, no router), µs",
                f"{hits['dspex_forward_us']:.1f}",
                "",
                "",
            ),
            (
                "Predict call, µs",
                f"{hits['dspex_predict_us']:.1f}",
                f"{hits['dspy_predict_us']:.1f}",
                f"{hits['dspy_predict_us'] / hits['dspex_predict_us']:.0f}x faster; "
                f"{hits['dspex_predict_us'] / hits['dspex_forward_us']:.2f}x the bare forward",
            ),
        ],
    )
    print_table(
        f"Async throughput, concurrency {concurrency}, zero-latency stub (higher is better)",
        [
            ("LM.arequest vs raw httpx", f"{lm_rate:.0f}", f"{raw:.0f}", f"{lm_rate / raw:.0%} of raw"),
            (
                "Predict.acall vs raw httpx",
                f"{predict_rate:.0f}",
                f"{raw:.0f}",
                f"{predict_rate / raw:.0%} of raw",
            ),
            (
                "LM.arequest vs raw httpx on the same sharded transport",
                f"{lm_rate:.0f}",
                f"{raw_sharded:.0f}",
                f"{lm_rate / raw_sharded:.0%} of raw",
            ),
        ],
    )
    print_table(
        f"Throughput with 100 ms server latency, concurrency {concurrency} (higher is better)",
        [
            (
                "calls/s vs dspy 64 threads",
                f"{native_slow:.0f}",
                f"{dspy_threads:.0f}",
                f"{native_slow / dspy_threads:.2f}x",
            ),
            (
                "calls/s vs dspy async",
                f"{native_slow:.0f}",
                f"{dspy_async:.0f}",
                f"{native_slow / dspy_async:.2f}x",
            ),
        ],
    )
    print_table(
        f"Memory: {memory['executions']} Predict executions in one process, cache off",
        [
            (
                f"RSS at start {memory['rss_start_mb']} MB; after {memory['warmup']} warm-up -> after",
                f"{memory['rss_before_mb']} -> {memory['rss_after_mb']} MB",
                "",
                f"{memory['growth_pct']:+.2f}%",
            ),
            (
                f"the same with Predict.acall, 64 at a time: RSS at start {memory_async['rss_start_mb']} MB",
                f"{memory_async['rss_before_mb']} -> {memory_async['rss_after_mb']} MB",
                "",
                f"{memory_async['growth_pct']:+.2f}%",
            ),
        ],
    )
    print_table(
        "Targets",
        [
            (name, str(row["measured"]), row["target"], "met" if row["met"] else "MISSED")
            for name, row in results["targets"].items()
        ],
        headers=("target", "measured", "goal", ""),
    )
    print(f"\nsaved {save('engine', results)}")


if __name__ == "__main__":
    main()
