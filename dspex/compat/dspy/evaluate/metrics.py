"""``dspy.evaluate.metrics``."""

from dspex.compat._names import unsupported
from dspex.evaluate import answer_exact_match, answer_passage_match
from dspex.modules.aggregation import normalize_text

__getattr__ = unsupported(__name__)

__all__ = ["answer_exact_match", "answer_passage_match", "normalize_text"]
