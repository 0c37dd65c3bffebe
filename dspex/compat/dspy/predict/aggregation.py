"""``dspy.predict.aggregation``."""

from dspex.compat._names import unsupported
from dspex.modules.aggregation import majority, normalize_text

__getattr__ = unsupported(__name__)

__all__ = ["majority", "normalize_text"]
