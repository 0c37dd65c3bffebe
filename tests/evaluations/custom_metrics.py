"""Metrics a project might allow-list in ``DSPEX_METRICS`` (used by the tests)."""

from __future__ import annotations

from typing import Any


def contains(example: Any, prediction: Any, trace: Any = None) -> bool:
    """Whether the gold answer appears in the predicted one."""
    return str(example["answer"]).lower() in str(prediction["answer"]).lower()


class ShortEnough:
    """1 when the answer has at most ``words`` words (a metric class, instantiated per run)."""

    def __init__(self, words: int = 3):
        self.words = words

    def __call__(self, example: Any, prediction: Any, trace: Any = None) -> float:
        return 1.0 if len(str(prediction["answer"]).split()) <= self.words else 0.0


def strict(example: Any, prediction: Any, trace: Any = None) -> bool:
    """Like exact match, but refuses the answer "boom"."""
    if prediction["answer"] == "boom":
        raise ValueError("cannot score 'boom'")
    return prediction["answer"] == example["answer"]
