"""Evaluation: ``Evaluate`` and metrics."""

from dspex.evaluate.evaluate import Evaluate, EvaluationResult, ExampleResult, TooManyErrors
from dspex.evaluate.metrics import (
    answer_exact_match,
    answer_passage_match,
    f1_score,
    normalize_text,
    token_f1,
)

__all__ = [
    "Evaluate",
    "EvaluationResult",
    "ExampleResult",
    "TooManyErrors",
    "answer_exact_match",
    "answer_passage_match",
    "f1_score",
    "normalize_text",
    "token_f1",
]
