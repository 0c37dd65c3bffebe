"""Evaluation: ``Evaluate``, metrics (``SemanticF1`` is an LM judge) and ``majority``."""

from dspex.evaluate.evaluate import Evaluate, EvaluationResult, ExampleResult, TooManyErrors, score_with
from dspex.evaluate.metrics import (
    answer_exact_match,
    answer_passage_match,
    f1_score,
    normalize_text,
    token_f1,
)
from dspex.evaluate.semantic_f1 import (
    DecompositionalSemanticRecallPrecision,
    SemanticF1,
    SemanticRecallPrecision,
)
from dspex.modules.aggregation import default_normalize, majority

__all__ = [
    "DecompositionalSemanticRecallPrecision",
    "Evaluate",
    "EvaluationResult",
    "ExampleResult",
    "SemanticF1",
    "SemanticRecallPrecision",
    "TooManyErrors",
    "answer_exact_match",
    "answer_passage_match",
    "default_normalize",
    "f1_score",
    "majority",
    "normalize_text",
    "score_with",
    "token_f1",
]
