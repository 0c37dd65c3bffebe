"""Metrics with DSPy's signature ``metric(example, prediction, trace=None) -> float | bool``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

# normalize_text is also majority()'s normalisation, so it lives with it (modules sit below
# evaluate); it stays importable from here, where DSPy users look for it.
from dspex.modules.aggregation import normalize_text

__all__ = ["answer_exact_match", "answer_passage_match", "f1_score", "normalize_text", "token_f1"]


def _answers(example: Any) -> list[str]:
    answer = example["answer"]
    return [str(a) for a in answer] if isinstance(answer, list | tuple) else [str(answer)]


def answer_exact_match(example: Any, pred: Any, trace: Any = None, frac: float = 1.0) -> bool:
    """Whether ``pred.answer`` equals one of ``example.answer`` after normalisation (``frac < 1``:
    token F1 of at least ``frac`` counts as a match)."""
    guess = str(_read(pred, "answer"))
    if frac >= 1.0:
        normalized = normalize_text(guess)
        return any(normalize_text(gold) == normalized for gold in _answers(example))
    return max(token_f1(guess, gold) for gold in _answers(example)) >= frac


def answer_passage_match(example: Any, pred: Any, trace: Any = None) -> bool:
    """Whether one of the gold answers appears in one of ``pred.context``'s passages."""
    context = _read(pred, "context")
    passages = context if isinstance(context, list) else [context]
    normalized = [normalize_text(p) for p in passages]
    return any(normalize_text(gold) in passage for gold in _answers(example) for passage in normalized)


def _read(pred: Any, name: str) -> Any:
    """``pred.<name>`` (a Prediction, any object with the attribute), else ``pred[name]`` (a dict)."""
    if isinstance(pred, Mapping):
        return pred[name]
    try:
        return getattr(pred, name)
    except AttributeError:
        return pred[name]


def token_f1(prediction: str, gold: str) -> float:
    """Token-level F1 between two texts after normalisation."""
    guess, truth = normalize_text(prediction).split(), normalize_text(gold).split()
    common = Counter(guess) & Counter(truth)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(guess), overlap / len(truth)
    return 2 * precision * recall / (precision + recall)


def f1_score(example: Any, pred: Any, trace: Any = None) -> float:
    """The best token F1 of ``pred.answer`` against the gold answers."""
    return max(token_f1(str(pred["answer"]), gold) for gold in _answers(example))
