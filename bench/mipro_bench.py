"""MIPROv2 through the bridge vs native BootstrapFewShot: SST-2 on the bundled gemma-3-270m, one run.

    python bench/mipro_bench.py                  # 100 held-out dev sentences
    python bench/mipro_bench.py --dev 20 --val 10 --trials 2 --no-save   # a smoke run

Both optimizers start from the same dspex ``Predict`` (the signature of ``optimize_bench.py``), the
same train phrases and the same managed llama.cpp server. dspex's ``BootstrapFewShot`` compiles
natively; dspy's ``MIPROv2`` runs through ``dspex.hybrid.compile_with_dspy``: the program, the data
and the metric are converted to dspy, dspy proposes instructions with the local model (dataset and
program summaries, tips, few-shot sets), searches instruction x demo-set combinations with Optuna on
the validation phrases, and its best program comes back as native dspex state. Both compiled
programs are then scored *natively* on the same held-out dev sentences, so the accuracy difference
is the optimizers' and the time difference is what each optimizer costs.

MIPROv2's proposer asks its prompt model for free-text outputs (a dataset summary, a program
description, a ``proposed_instruction``). gemma-3-270m is a base model: asked zero-shot it echoes
the prompt instead of writing the ``[[ ## proposed_instruction ## ]]`` section, the ChatAdapter and
the JSONAdapter fallback both fail, and MIPROv2 stops. So the prompt model here is
:class:`PrefillLM`, the usual way to drive a base model: the same server and weights, but the
model's turn is pre-filled with the header of the first output field and continued through the raw
``/v1/completions`` endpoint. The task model (the one scored) is the ordinary bridged LM.
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

import dspy
import httpx
from _common import machine, print_table, save
from optimize_bench import MODEL, Native, same_label, split

import dspex
from dspex.lm.local import ensure_server
from dspex.lm.providers.local import DEFAULT_MAX_TOKENS, gemma_messages

FIRST_OUTPUT = re.compile(r"Your output fields are:\s*1\. `(\w+)`")


class PrefillLM(dspy.BaseLM):
    """A dspy LM for a base model: the model's turn starts with ``[[ ## <first output> ## ]]``."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(f"openai/{MODEL}", max_tokens=DEFAULT_MAX_TOKENS, cache=False, **kwargs)
        self.base_url = base_url
        self.client = httpx.Client(timeout=900)

    def forward(self, prompt: Any = None, messages: Any = None, **kwargs: Any) -> dict[str, Any]:
        turns = gemma_messages(messages or [{"role": "user", "content": prompt}])
        system_text = " ".join(m["content"] for m in messages or [] if m.get("role") == "system")
        match = FIRST_OUTPUT.search(system_text or turns[0]["content"])
        header = f"[[ ## {match.group(1)} ## ]]\n" if match else ""
        text = "".join(
            f"<start_of_turn>{'model' if t['role'] == 'assistant' else 'user'}\n{t['content']}<end_of_turn>\n"
            for t in turns
        )
        body = {
            "model": MODEL,
            "prompt": text + "<start_of_turn>model\n" + header,
            "max_tokens": {**self.kwargs, **kwargs}.get("max_tokens") or DEFAULT_MAX_TOKENS,
            "temperature": {**self.kwargs, **kwargs}.get("temperature") or 0.0,
            "stop": ["[[ ## ", "<end_of_turn>"],
        }
        reply = self.client.post(self.base_url + "/completions", json=body)
        reply.raise_for_status()
        data = reply.json()
        completion = data["choices"][0]["text"].strip()
        return {
            "choices": [{"message": {"content": f"{header}{completion}\n\n[[ ## completed ## ]]"}}],
            "usage": data.get("usage") or {},
            "model": MODEL,
        }


def mipro_params(args: argparse.Namespace, base_url: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "prompt_model": PrefillLM(base_url),
        "auto": None,
        "num_candidates": args.candidates,
        "num_trials": args.trials,
        "max_bootstrapped_demos": args.demos,
        "max_labeled_demos": args.labeled,
        "num_threads": args.threads,
        "seed": 0,
        "minibatch": args.minibatch > 0,
    }
    if args.minibatch > 0:
        params["minibatch_size"] = args.minibatch
    return params


def run_mipro(native: Native, trainset: list[Any], valset: list[Any], params: dict[str, Any]) -> Any:
    events: list[Any] = []
    compiled, seconds, _usage = native._run(
        lambda: dspex.hybrid.compile_with_dspy(
            "mipro_v2",
            student=native.program,
            trainset=trainset,
            valset=valset,
            metric=same_label,
            params=params,
            callback=events.append,
            lm=native.lm,
        )
    )
    trials = [e.score for e in events if e.kind == "trial"]
    best = next((e.score for e in reversed(events) if e.kind == "end"), None)
    native.record(
        "mipro compile",
        seconds,
        evaluations=len(trials),
        val_scores=trials,
        best_val=best,
        demos=len(compiled.demos),
        instructions=compiled.signature.instructions,
    )
    return compiled


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=int, default=100, help="held-out dev sentences (default 100)")
    parser.add_argument("--train", type=int, default=50, help="train phrases (both optimizers)")
    parser.add_argument("--val", type=int, default=40, help="validation phrases for MIPROv2's search")
    parser.add_argument("--demos", type=int, default=4, help="max_bootstrapped_demos (both)")
    parser.add_argument("--labeled", type=int, default=4, help="max_labeled_demos (both)")
    parser.add_argument("--candidates", type=int, default=4, help="MIPROv2 num_candidates")
    parser.add_argument("--trials", type=int, default=8, help="MIPROv2 num_trials")
    parser.add_argument("--minibatch", type=int, default=0, help="MIPROv2 minibatch_size (0: full valset)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent requests")
    parser.add_argument("--name", default="mipro", help="results file: bench/results/NAME.json")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()

    trainset, valset, dev = split(args.train, args.val, args.dev)
    started = time.perf_counter()
    base_url = ensure_server(MODEL)
    print(f"local server {base_url} ready in {time.perf_counter() - started:.1f} s")
    print(f"{len(dev)} dev sentences, {len(trainset)} train and {len(valset)} validation phrases")
    native = Native(args.threads, literal=False)
    settings = {"max_bootstrapped_demos": args.demos, "max_labeled_demos": args.labeled}
    params = mipro_params(args, base_url)

    native.bootstrap(trainset, **settings)
    native.settle(base_url)
    native.evaluate("bootstrap dev", native.compiled, dev)
    native.settle(base_url)
    mipro = run_mipro(native, trainset, valset, params)
    native.settle(base_url)
    native.evaluate("mipro dev", mipro, dev)
    native.settle(base_url)

    phases = native.phases
    bfs_total = phases["compile"]["seconds"] + phases["bootstrap dev"]["seconds"]
    mipro_total = phases["mipro compile"]["seconds"] + phases["mipro dev"]["seconds"]
    bfs, mipro = phases["compile"], phases["mipro compile"]
    bfs_dev, mipro_dev = phases["bootstrap dev"], phases["mipro dev"]
    rows = [
        ("compile time, s", f"{bfs['seconds']:.1f}", f"{mipro['seconds']:.1f}",
         f"{bfs['seconds'] / mipro['seconds']:.2f}x"),
        ("dev evaluation time, s", f"{bfs_dev['seconds']:.1f}", f"{mipro_dev['seconds']:.1f}", ""),
        ("total time, s", f"{bfs_total:.1f}", f"{mipro_total:.1f}", f"{bfs_total / mipro_total:.2f}x"),
        ("dev accuracy, %", f"{bfs_dev['accuracy']:.1f}", f"{mipro_dev['accuracy']:.1f}",
         f"{bfs_dev['accuracy'] - mipro_dev['accuracy']:+.1f} points"),
        ("demos in the result", str(bfs["demos"]), str(mipro["demos"]), ""),
    ]  # fmt: skip
    print_table(
        f"SST-2, local {MODEL}, {len(dev)} dev sentences: native BootstrapFewShot vs MIPROv2 via the "
        f"bridge ({machine()})",
        rows,
        headers=("", "BootstrapFewShot (native)", "MIPROv2 (dspy, bridged)", "ratio / diff"),
    )
    print(f"\n  MIPROv2 instruction: {phases['mipro compile']['instructions']!r}")
    print(f"  MIPROv2 validation scores per evaluation: {phases['mipro compile']['val_scores']}")
    if not args.no_save:
        path = save(
            args.name,
            {
                "model": f"local/{MODEL}",
                "dspy_version": dspy.__version__,
                "sizes": {"dev": len(dev), "train": len(trainset), "val": len(valset)},
                "bootstrap_settings": settings,
                "mipro_params": {**params, "prompt_model": "PrefillLM (same local server)"},
                "phases": phases,
                "ratios": {
                    "time_total_bfs_over_mipro": round(bfs_total / mipro_total, 3),
                    "accuracy_points_bfs_minus_mipro": round(
                        phases["bootstrap dev"]["accuracy"] - phases["mipro dev"]["accuracy"], 2
                    ),
                },
            },
        )
        print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
