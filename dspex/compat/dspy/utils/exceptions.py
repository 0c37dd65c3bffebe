"""``dspy.utils.exceptions``."""

from dspex.adapters.errors import AdapterParseError
from dspex.compat._names import unsupported
from dspex.lm import ContextWindowExceededError, LMConfigurationError

__getattr__ = unsupported(__name__)

__all__ = ["AdapterParseError", "ContextWindowExceededError", "LMConfigurationError"]
