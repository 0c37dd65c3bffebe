"""Hybrid engine benchmark: one program on each backend, against the same stub server, in one run.

    python bench/hybrid_bench.py            # full run (about two minutes)
    python bench/hybrid_bench.py --quick    # fewer calls

The program is ``ChainOfThought("question -> answer")``. Measures, sequentially on a zero-latency
server: the native call, the same call through the router on the dspy backend, and plain dspy
(``dspy.ChainOfThought`` in ``dspy.context``) — the difference between the last two is the
bridge's overhead. Then the router's own cost on the native path (a cached LM, so the call does no
HTTP: the routed call vs the inner ``Predict.forward()``, which bypasses the router; best of 41
interleaved rounds), and throughput with
100 ms server latency: 32 threads and 64 asyncio tasks on each backend.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _common import print_table, save, stub_server

ANSWER = "[[ ## reasoning ## ]]\nParis is the capital.\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"
MODEL = "openai/stub-model"
QUESTION = "What is the capital of France?"


def interleaved(
    fns: dict[str, Any], n: int, rounds: int = 15, warmup: int = 20, pick: Any = statistics.median
) -> dict[str, float]:
    """Seconds per call of each function: ``pick`` (median, or min for microbenchmarks) over
    ``rounds`` rounds in which every function runs ``n // rounds`` calls in turn, so load from
    other processes hits all of them alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    per_round = max(1, n // rounds)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(per_round):
                fn()
            samples[name].append((time.perf_counter() - start) / per_round)
    return {name: pick(values) for name, values in samples.items()}


def program() -> Any:
    import dspex

    return dspex.ChainOfThought("question -> answer")


def dspex_lm(base_url: str, cache: bool = False) -> Any:
    import dspex

    return dspex.LM(MODEL, base_url=base_url, api_key_env="BENCH_STUB_KEY", cache=cache)


def sequential(base_url: str, n: int) -> dict[str, float]:
    import dspy

    import dspex
    from dspex.hybrid.dspy_bridge import to_dspy_lm

    lm = dspex_lm(base_url)
    dspex.configure(lm=lm)
    cot = program()
    theirs = dspy.ChainOfThought("question -> answer")
    dspy_lm = to_dspy_lm(lm)  # the very LM the bridge uses, so only the bridge differs

    def plain_dspy() -> None:
        with dspy.context(lm=dspy_lm, adapter=dspy.ChatAdapter()):
            theirs(question=QUESTION)

    times = interleaved(
        {
            "native": lambda: cot(question=QUESTION),
            "bridged": lambda: cot(question=QUESTION, backend="dspy"),
            "plain": plain_dspy,
        },
        n,
    )
    native_s, bridged_s, dspy_s = times["native"], times["bridged"], times["plain"]
    return {
        "native_ms": native_s * 1e3,
        "dspy_backend_ms": bridged_s * 1e3,
        "plain_dspy_ms": dspy_s * 1e3,
        "bridge_overhead_ms": (bridged_s - dspy_s) * 1e3,
    }


def router_overhead(base_url: str, n: int) -> dict[str, float]:
    import dspex

    dspex.configure(lm=dspex_lm(base_url, cache=True))
    cot = program()
    cot(question=QUESTION)  # fill the cache
    times = interleaved(
        {"routed": lambda: cot(question=QUESTION), "direct": lambda: cot.predict.forward(question=QUESTION)},
        n,
        rounds=41,
        pick=min,  # the least-disturbed round: a few µs are lost in scheduling noise otherwise
    )
    routed, direct = times["routed"], times["direct"]
    return {"routed_us": routed * 1e6, "forward_us": direct * 1e6, "router_us": (routed - direct) * 1e6}


def thread_rate(base_url: str, backend: str, total: int, threads: int) -> float:
    import dspex

    dspex.configure(lm=dspex_lm(base_url))
    cot = program()

    def call(i: int) -> None:
        cot(question=f"q{i}", backend=backend)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(threads)))  # warm up
        start = time.perf_counter()
        list(pool.map(call, range(total)))
        return total / (time.perf_counter() - start)


async def async_rate(base_url: str, backend: str, total: int, concurrency: int) -> float:
    import dspex

    dspex.configure(lm=dspex_lm(base_url))
    cot = program()
    counter = iter(range(total + concurrency))

    async def worker(limit: int) -> None:
        for _ in range(limit):
            i = next(counter)
            await cot.acall(question=f"q{i}", backend=backend)

    await asyncio.gather(*(worker(1) for _ in range(concurrency)))  # warm up
    start = time.perf_counter()
    await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))
    return (total // concurrency) * concurrency / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 100 if args.quick else 300
    threads, concurrency = 32, 64
    total = 320 if args.quick else 960

    with stub_server(default=ANSWER) as base_url:
        seq = sequential(base_url, n)
        router = router_overhead(base_url, n * 20)
    with stub_server(latency=0.1, default=ANSWER) as base_url:
        rates = {
            "threads_native_cps": thread_rate(base_url, "native", total, threads),
            "threads_dspy_cps": thread_rate(base_url, "dspy", total, threads),
            "async_native_cps": asyncio.run(async_rate(base_url, "native", total, concurrency)),
            "async_dspy_cps": asyncio.run(async_rate(base_url, "dspy", total, concurrency)),
        }

    print_table(
        "ChainOfThought, sequential, zero-latency stub (ms/call, lower is better)",
        [
            (
                "native vs dspy backend",
                f"{seq['native_ms']:.3f}",
                f"{seq['dspy_backend_ms']:.3f}",
                f"{seq['dspy_backend_ms'] / seq['native_ms']:.1f}x",
            ),
            (
                "dspy backend vs plain dspy",
                f"{seq['dspy_backend_ms']:.3f}",
                f"{seq['plain_dspy_ms']:.3f}",
                f"bridge +{seq['bridge_overhead_ms']:.3f} ms",
            ),
        ],
    )
    print_table(
        "Router cost on the native path, cached LM (µs/call)",
        [
            (
                "routed call vs predict.forward() (no router)",
                f"{router['routed_us']:.1f}",
                f"{router['forward_us']:.1f}",
                f"+{router['router_us']:.1f} µs",
            )
        ],
    )
    print_table(
        "Throughput, 100 ms server latency (calls/s, higher is better; dspex column = native)",
        [
            (
                f"{threads} threads: native vs dspy backend",
                f"{rates['threads_native_cps']:.0f}",
                f"{rates['threads_dspy_cps']:.0f}",
                f"{rates['threads_native_cps'] / rates['threads_dspy_cps']:.2f}x",
            ),
            (
                f"asyncio, {concurrency} tasks: native vs dspy backend",
                f"{rates['async_native_cps']:.0f}",
                f"{rates['async_dspy_cps']:.0f}",
                f"{rates['async_native_cps'] / rates['async_dspy_cps']:.2f}x",
            ),
        ],
    )
    path = save(
        "hybrid",
        {
            "program": "ChainOfThought('question -> answer')",
            "sequential_zero_latency": seq,
            "router_native_cached": router,
            "throughput_100ms_latency": {"threads": threads, "concurrency": concurrency, **rates},
        },
    )
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
