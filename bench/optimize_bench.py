"""Optimize benchmark: SST-2 on the bundled gemma-3-270m, dspex vs dspy on the same server, one run.

    python bench/optimize_bench.py                    # 100 dev sentences (a long run on 2 cores)
    python bench/optimize_bench.py --dev 20 --quick   # a smoke run

Both sides classify the same held-out SST-2 dev sentences with the same signature (a ``label: str``
described as "positive or negative"; on 60 dev sentences with 4 demos it scored 73% where a
``Literal["positive", "negative"]`` label scored 58% and a bare ``sentence -> label`` 68%, and 0%
zero-shot), zero-shot, then
compile the same BootstrapFewShot (same trainset, same settings) and classify them again. dspy 3.4.1
talks to the very llama.cpp server dspex manages (``openai/...`` with ``api_base``, ``max_tokens``,
``stop`` and ``temperature`` set to dspex's local defaults) through its LiteLLM engine
(``engine="litellm"``): its default lm15 engine sends ``max_completion_tokens``, which
llama-cpp-python ignores, so every call that misses the stop words generates until the context is
full (about 4,000 tokens; see ``--dspy-engine``). Each side gets a fresh response cache.
The phases alternate (dspex, dspy, dspex, ...) so that load from other processes hits both alike.
Then dspex alone runs BootstrapFewShotWithRandomSearch (``--candidates``, 0 to skip).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
from collections import Counter
from typing import Any, Literal

import httpx
from _common import machine, print_table, save

CACHES = tempfile.mkdtemp(prefix="optimize_bench_")
os.environ["DSPEX_CACHEDIR"] = os.path.join(CACHES, "dspex")
os.environ["DSPY_CACHEDIR"] = os.path.join(CACHES, "dspy")

import dspy  # noqa: E402  (after the cache directories are chosen)

import dspex  # noqa: E402
from dspex.data import load_sst2  # noqa: E402
from dspex.lm.local import ensure_server  # noqa: E402
from dspex.lm.providers.local import DEFAULT_MAX_TOKENS, DEFAULT_STOP, gemma_messages  # noqa: E402

MODEL = "gemma-3-270m"


class Sentiment(dspex.Signature):
    """Classify the sentiment of a movie review sentence as positive or negative."""

    sentence: str = dspex.InputField()
    label: str = dspex.OutputField(desc="positive or negative")


class DspySentiment(dspy.Signature):
    """Classify the sentiment of a movie review sentence as positive or negative."""

    sentence: str = dspy.InputField()
    label: str = dspy.OutputField(desc="positive or negative")


class LiteralSentiment(dspex.Signature):
    """Classify the sentiment of a movie review sentence."""

    sentence: str = dspex.InputField()
    label: Literal["positive", "negative"] = dspex.OutputField()


class DspyLiteralSentiment(dspy.Signature):
    """Classify the sentiment of a movie review sentence."""

    sentence: str = dspy.InputField()
    label: Literal["positive", "negative"] = dspy.OutputField()


def same_label(example: Any, pred: Any, trace: Any = None) -> bool:
    return example.label == pred.label


def split(train_size: int, val_size: int, dev_size: int) -> tuple[list[Any], list[Any], list[Any]]:
    """Train and validation phrases drawn (seeded) from SST-2 train; dev sentences held out."""
    phrases = load_sst2("train")
    random.Random(0).shuffle(phrases)
    return phrases[:train_size], phrases[train_size : train_size + val_size], load_sst2("dev", limit=dev_size)


def as_dspy(examples: list[Any]) -> list[Any]:
    return [dspy.Example(sentence=e.sentence, label=e.label).with_inputs("sentence") for e in examples]


def drain(base_url: str) -> float:
    """Wait until the server has finished work left behind by the previous phase (dspy's Evaluate
    resubmits stragglers and returns without waiting for the copies); returns the seconds waited."""
    started = time.perf_counter()
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
    while True:
        sent = time.perf_counter()
        httpx.post(base_url + "/chat/completions", json=body, timeout=900).raise_for_status()
        if time.perf_counter() - sent < 2.0:
            return time.perf_counter() - started


class Side:
    """One implementation: its LM and the numbers of each phase."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.phases: dict[str, dict[str, Any]] = {}

    def record(self, phase: str, seconds: float, **numbers: Any) -> None:
        self.phases[phase] = {"seconds": round(seconds, 2), **numbers}
        self.last_phase = phase
        shown = ", ".join(f"{k}={v}" for k, v in numbers.items() if not isinstance(v, list))
        print(f"  {self.name:<5} {phase:<17} {seconds:7.1f} s  {shown}", flush=True)

    def settle(self, base_url: str) -> None:
        """Record how long the server stays busy with this side's leftovers after the phase."""
        leftover = drain(base_url)
        self.phases[self.last_phase]["leftover_server_s"] = round(leftover, 2)
        if leftover > 2.0:
            print(f"  {self.name:<5} {'':<17} +{leftover:.1f} s of leftover server work", flush=True)


def _usage_totals(entries: list[dict[str, Any]]) -> dict[str, int]:
    totals = Counter()
    for entry in entries:
        usage = entry.get("usage") or {}
        totals["prompt_tokens"] += int(usage.get("prompt_tokens") or 0)
        totals["completion_tokens"] += int(usage.get("completion_tokens") or 0)
        totals["requests"] += 0 if entry.get("cache_hit") else 1
        totals["cache_hits"] += 1 if entry.get("cache_hit") else 0
    return dict(totals)


class Native(Side):
    def __init__(self, threads: int, literal: bool) -> None:
        super().__init__("dspex")
        self.lm = dspex.LM(f"local/{MODEL}")
        self.threads = threads
        self.program = dspex.Predict(LiteralSentiment if literal else Sentiment)
        self.compiled: Any = None

    def _run(self, work: Any) -> tuple[Any, float, dict[str, int]]:
        with dspex.context(lm=self.lm), dspex.track_calls() as calls:
            started = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - started
        return result, seconds, _usage_totals([{"usage": c.usage, "cache_hit": c.cache_hit} for c in calls])

    def evaluate(self, phase: str, program: Any, dev: list[Any]) -> float:
        evaluate = dspex.Evaluate(devset=dev, metric=same_label, num_threads=self.threads)
        result, seconds, usage = self._run(lambda: evaluate(program))
        labels = Counter(str(r.prediction.label) if r.error is None else "error" for r in result.results)
        self.record(phase, seconds, accuracy=result.score, labels=dict(labels), **usage)
        return result.score

    def bootstrap(self, trainset: list[Any], **settings: Any) -> None:
        optimizer = dspex.BootstrapFewShot(metric=same_label, **settings)
        compiled, seconds, usage = self._run(lambda: optimizer.compile(self.program, trainset=trainset))
        self.compiled = compiled
        demos = [(d.label, bool(d.get("augmented"))) for d in compiled.demos]
        self.record("compile", seconds, demos=len(demos), demo_labels=demos, **usage)

    def random_search(self, trainset: list[Any], valset: list[Any], candidates: int, **settings: Any) -> Any:
        events: list[Any] = []
        optimizer = dspex.BootstrapFewShotWithRandomSearch(
            metric=same_label,
            num_candidate_programs=candidates,
            num_threads=self.threads,
            callback=events.append,
            **settings,
        )
        compiled, seconds, usage = self._run(
            lambda: optimizer.compile(self.program, trainset=trainset, valset=valset)
        )
        scores = {e.details["seed"]: e.score for e in events if e.kind == "candidate"}
        self.record("random search", seconds, candidates=len(scores), val_scores=scores, **usage)
        return compiled


class MergedSystemLM(dspy.LM):
    """dspy.LM that merges the system message into the first user turn, as dspex does for the
    local model (llama.cpp's gemma chat format drops system messages)."""

    def __call__(self, prompt: Any = None, messages: Any = None, **kwargs: Any) -> Any:
        return super().__call__(prompt, messages=gemma_messages(messages) if messages else None, **kwargs)

    async def acall(self, prompt: Any = None, messages: Any = None, **kwargs: Any) -> Any:
        return await super().acall(prompt, messages=gemma_messages(messages) if messages else None, **kwargs)


class Dspy(Side):
    def __init__(self, base_url: str, threads: int, engine: str, literal: bool, merge_system: bool) -> None:
        super().__init__("dspy")
        self.lm = (MergedSystemLM if merge_system else dspy.LM)(
            f"openai/{MODEL}",
            api_base=base_url,
            api_key="x",
            max_tokens=DEFAULT_MAX_TOKENS,
            stop=list(DEFAULT_STOP),
            temperature=0.0,
            cache=True,
            engine=engine,
        )
        self.threads = threads
        self.program = dspy.Predict(DspyLiteralSentiment if literal else DspySentiment)
        self.compiled: Any = None

    def _run(self, work: Any) -> tuple[Any, float, dict[str, int]]:
        before = len(self.lm.history)
        with dspy.context(lm=self.lm):
            started = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - started
        entries = [
            {"usage": e.get("usage") or {}, "cache_hit": bool(getattr(e.get("response"), "cache_hit", False))}
            for e in self.lm.history[before:]
        ]
        return result, seconds, _usage_totals(entries)

    def evaluate(self, phase: str, program: Any, dev: list[Any]) -> float:
        # As on the dspex side, failed examples score 0 instead of stopping the run at 10 errors.
        evaluate = dspy.Evaluate(
            devset=dev,
            metric=same_label,
            num_threads=self.threads,
            display_progress=False,
            max_errors=len(dev) + 1,
        )
        result, seconds, usage = self._run(lambda: evaluate(program))
        labels = Counter(str(getattr(r[1], "label", "error")) for r in result.results)
        self.record(phase, seconds, accuracy=float(result.score), labels=dict(labels), **usage)
        return float(result.score)

    def bootstrap(self, trainset: list[Any], **settings: Any) -> None:
        optimizer = dspy.BootstrapFewShot(metric=same_label, max_errors=len(trainset) + 1, **settings)
        compiled, seconds, usage = self._run(lambda: optimizer.compile(self.program, trainset=trainset))
        self.compiled = compiled
        demos = [(d.label, bool(d.get("augmented"))) for d in compiled.demos]
        self.record("compile", seconds, demos=len(demos), demo_labels=demos, **usage)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=int, default=100, help="held-out dev sentences (default 100)")
    parser.add_argument("--train", type=int, default=50, help="train phrases to bootstrap from")
    parser.add_argument("--val", type=int, default=40, help="validation phrases for random search")
    parser.add_argument("--demos", type=int, default=4, help="max_bootstrapped_demos")
    parser.add_argument("--labeled", type=int, default=4, help="max_labeled_demos")
    parser.add_argument("--literal", action="store_true", help="label: Literal['positive', 'negative']")
    parser.add_argument("--threads", type=int, default=8, help="num_threads of Evaluate")
    parser.add_argument("--candidates", type=int, default=2, help="random-search candidates (0: skip)")
    parser.add_argument("--quick", action="store_true", help="skip the random search")
    parser.add_argument(
        "--dspy-engine",
        default="litellm",
        help="dspy.LM engine: litellm (default) or auto (dspy's default; the server ignores its max_tokens)",
    )
    parser.add_argument(
        "--dspy-merge-system",
        action="store_true",
        help="give dspy's LM dspex's rewrite of system messages (the server drops them otherwise)",
    )
    parser.add_argument("--name", default="optimize", help="results file: bench/results/NAME.json")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()

    trainset, valset, dev = split(args.train, args.val, args.dev)
    started = time.perf_counter()
    base_url = ensure_server(MODEL)
    print(f"local server {base_url} ready in {time.perf_counter() - started:.1f} s; caches in {CACHES}")
    print(f"{len(dev)} dev sentences, {len(trainset)} train and {len(valset)} validation phrases")
    settings = {"max_bootstrapped_demos": args.demos, "max_labeled_demos": args.labeled}

    logging.getLogger("dspy").setLevel(logging.CRITICAL)  # failed examples are counted, not printed
    native = Native(args.threads, args.literal)
    theirs = Dspy(base_url, args.threads, args.dspy_engine, args.literal, args.dspy_merge_system)
    dev_dspy, train_dspy = as_dspy(dev), as_dspy(trainset)
    for run_native, run_theirs in [
        (
            lambda: native.evaluate("zero-shot", native.program, dev),
            lambda: theirs.evaluate("zero-shot", theirs.program, dev_dspy),
        ),
        (lambda: native.bootstrap(trainset, **settings), lambda: theirs.bootstrap(train_dspy, **settings)),
        (
            lambda: native.evaluate("compiled", native.compiled, dev),
            lambda: theirs.evaluate("compiled", theirs.compiled, dev_dspy),
        ),
    ]:
        run_native()
        native.settle(base_url)
        run_theirs()
        theirs.settle(base_url)

    search: dict[str, Any] = {}
    if args.candidates and not args.quick:
        best = native.random_search(trainset, valset, args.candidates, balance_by="label", **settings)
        native.settle(base_url)
        native.evaluate("random search dev", best, dev)
        search = {"candidates": args.candidates, "balance_by": "label"}

    def total(side: Side) -> float:
        return sum(side.phases[p]["seconds"] for p in ("zero-shot", "compile", "compiled"))

    rows = []
    for phase in ("zero-shot", "compile", "compiled"):
        mine, other = native.phases[phase]["seconds"], theirs.phases[phase]["seconds"]
        rows.append((f"{phase} time, s", f"{mine:.1f}", f"{other:.1f}", f"{mine / other:.2f}x"))
    rows.append(
        (
            "total time, s",
            f"{total(native):.1f}",
            f"{total(theirs):.1f}",
            f"{total(native) / total(theirs):.2f}x",
        )
    )
    leftover = [sum(s.phases[p].get("leftover_server_s", 0.0) for p in s.phases) for s in (native, theirs)]
    rows.append(("leftover server work, s", f"{leftover[0]:.1f}", f"{leftover[1]:.1f}", "(not in the times)"))
    for phase in ("zero-shot", "compiled"):
        mine, other = native.phases[phase]["accuracy"], theirs.phases[phase]["accuracy"]
        rows.append((f"{phase} accuracy, %", f"{mine:.1f}", f"{other:.1f}", f"{mine - other:+.1f} points"))
        failed = [s.phases[phase]["labels"].get("error", 0) for s in (native, theirs)]
        rows.append((f"{phase} failed examples", str(failed[0]), str(failed[1]), ""))
    for phase in ("zero-shot", "compile", "compiled"):
        rows.append(
            (
                f"{phase} requests / prompt tok",
                f"{native.phases[phase]['requests']} / {native.phases[phase]['prompt_tokens']}",
                f"{theirs.phases[phase]['requests']} / {theirs.phases[phase]['prompt_tokens']}",
                "",
            )
        )
    print_table(f"SST-2, local {MODEL}, {len(dev)} dev sentences ({machine()})", rows)
    if "random search dev" in native.phases:
        rs = native.phases["random search"]
        print(
            f"\n  dspex random search: {rs['seconds']:.1f} s, val scores {rs['val_scores']}, "
            f"dev accuracy {native.phases['random search dev']['accuracy']:.1f}%"
        )
    if not args.no_save:
        path = save(
            args.name,
            {
                "model": f"local/{MODEL}",
                "dspy_version": dspy.__version__,
                "sizes": {"dev": len(dev), "train": len(trainset), "val": len(valset)},
                "signature": "Literal label" if args.literal else "label: str, 'positive or negative'",
                "settings": {
                    **settings,
                    "threads": args.threads,
                    "dspy_engine": args.dspy_engine,
                    "dspy_merge_system": args.dspy_merge_system,
                    **search,
                },
                "dspex": native.phases,
                "dspy": theirs.phases,
                "ratios": {
                    "time_total": round(total(native) / total(theirs), 3),
                    "accuracy_compiled_points": round(
                        native.phases["compiled"]["accuracy"] - theirs.phases["compiled"]["accuracy"], 2
                    ),
                },
            },
        )
        print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
