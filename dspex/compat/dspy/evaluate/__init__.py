"""``dspy.evaluate``: mapped onto :mod:`dspex.evaluate`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.evaluate import evaluate, metrics
from dspex.evaluate import (
    Evaluate,
    EvaluationResult,
    SemanticF1,
    answer_exact_match,
    answer_passage_match,
)
from dspex.modules.aggregation import normalize_text

__getattr__ = unsupported(__name__)

__all__ = [
    "Evaluate",
    "EvaluationResult",
    "SemanticF1",
    "answer_exact_match",
    "answer_passage_match",
    "evaluate",
    "metrics",
    "normalize_text",
]
