"""``dspy.evaluate.evaluate``."""

from dspex.compat._names import unsupported
from dspex.evaluate import Evaluate, EvaluationResult

__getattr__ = unsupported(__name__)

__all__ = ["Evaluate", "EvaluationResult"]
