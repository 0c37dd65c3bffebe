"""Evaluation: ``Evaluate`` and metrics."""

from dspex.evaluate.evaluate import Evaluate, EvaluationResult, ExampleResult, TooManyErrors
from dspex.evaluate.metrics import (
    answer_exact_match,
    answer_passage_match,
    f1_score,
    normalize_text,
    token_f1,
)
from dspex.evaluate.named import (
    UnknownMetric,
    get_metric,
    labels_exact_match,
    labels_f1,
    metric_names,
    register_metric,
)

__all__ = [
    "Evaluate",
    "EvaluationResult",
    "ExampleResult",
    "TooManyErrors",
    "UnknownMetric",
    "answer_exact_match",
    "answer_passage_match",
    "f1_score",
    "get_metric",
    "labels_exact_match",
    "labels_f1",
    "metric_names",
    "normalize_text",
    "register_metric",
    "token_f1",
]
