"""Memory: does a process that runs a ``Predict`` many times keep growing?

    python bench/memory_bench.py                 # 10,000 executions against the stub server
    python bench/memory_bench.py --n 2000        # fewer

One process: warm up (caches, pools, first-call imports), collect garbage, read the resident set
size (RSS), run ``n`` executions of a ``Predict`` with the LM cache off against the stub server,
collect again and read RSS once more. Reports both RSS values and the growth in percent.
``engine_bench.py`` runs this in a child process, so that nothing else it does (importing dspy,
other measurements) counts.
"""

from __future__ import annotations

import argparse
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


def measure(base_url: str, n: int = 10_000, warmup: int = 1_000) -> dict[str, Any]:
    """RSS before and after ``n`` executions (after ``warmup`` ones), and the growth in percent."""
    import dspex

    lm = dspex.LM("openai/stub-model", base_url=base_url, api_key_env="BENCH_STUB_KEY", cache=False)
    predict = dspex.Predict("question -> answer")
    for index in range(warmup):
        predict(question=f"warm-up {index}", lm=lm)
    gc.collect()
    before = rss_bytes()
    for index in range(n):
        predict(question=f"question {index}", lm=lm)
    gc.collect()
    after = rss_bytes()
    return {
        "executions": n,
        "warmup": warmup,
        "rss_before_mb": round(before / 2**20, 2),
        "rss_after_mb": round(after / 2**20, 2),
        "growth_pct": round((after - before) / before * 100, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--base-url", help="use this stub server instead of starting one")
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    args = parser.parse_args()
    if args.base_url:
        result = measure(args.base_url, args.n, args.warmup)
    else:
        with stub_server(default=ANSWER) as base_url:
            result = measure(base_url, args.n, args.warmup)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['executions']} Predict executions (cache off) after {result['warmup']} warm-up: "
        f"RSS {result['rss_before_mb']} MB -> {result['rss_after_mb']} MB ({result['growth_pct']:+.2f}%)"
    )


if __name__ == "__main__":
    main()
