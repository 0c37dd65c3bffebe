"""The zero-setup demo: SST-2 sentiment with the bundled local model.

python -m dspex.demo               # 20 held-out dev sentences, 4 demos, local gemma-3-270m
python -m dspex.demo --n 100 --model openai/gpt-4o-mini
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Literal

import dspex
from dspex.data import load_sst2
from dspex.primitives.example import Example


class Sentiment(dspex.Signature):
    """Classify the sentiment of a movie review sentence."""

    sentence: str = dspex.InputField()
    label: Literal["positive", "negative"] = dspex.OutputField()


def pick_demos(count: int, seed: int = 0) -> list[Example]:
    """``count`` training examples, alternating labels, chosen reproducibly."""
    train = load_sst2("train")
    rng = random.Random(seed)
    by_label = {label: [e for e in train if e.label == label] for label in ("positive", "negative")}
    demos = []
    for i in range(count):
        label = ("positive", "negative")[i % 2]
        demos.append(rng.choice(by_label[label]))
    return demos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20, help="dev sentences to classify (default 20)")
    parser.add_argument(
        "--demos", type=int, default=4, help="few-shot demos from the train split (default 4)"
    )
    parser.add_argument(
        "--model", default="local/gemma-3-270m", help="LM to use (default local/gemma-3-270m)"
    )
    args = parser.parse_args(argv)

    lm = dspex.LM(args.model)
    classify = dspex.Predict(Sentiment)
    classify.demos = pick_demos(args.demos)
    dev = load_sst2("dev", limit=args.n)

    print(f"DSPex demo: {args.model}, {len(classify.demos)} demos, {len(dev)} SST-2 dev sentences\n")
    correct = 0
    started = time.perf_counter()
    with dspex.context(lm=lm), dspex.track_calls() as calls:
        for i, example in enumerate(dev, start=1):
            try:
                label = classify(**example.inputs()).label
            except dspex.AdapterParseError as exc:
                label = f"<unparsed: {exc.lm_response[:40]!r}>"
            except dspex.LocalModelCrashed as exc:
                print(f"\n{exc}", file=sys.stderr)
                return 1
            ok = label == example.label
            correct += ok
            print(
                f"{i:3d}. {'✓' if ok else '✗'} {label:<9} (gold {example.label:<8}) {example.sentence[:70]}"
            )
    elapsed = time.perf_counter() - started
    tokens = sum(c.usage.get("prompt_tokens", 0) + c.usage.get("completion_tokens", 0) for c in calls)
    hits = sum(c.cache_hit for c in calls)
    print(
        f"\naccuracy {correct}/{len(dev)} = {correct / len(dev):.0%} | {len(calls)} LM calls "
        f"({hits} from the response cache), {tokens} tokens, {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
