"""``dspy.utils.inspect_history``."""

from dspex.compat._names import unsupported
from dspex.lm.history import pretty_print_history

__getattr__ = unsupported(__name__)

__all__ = ["pretty_print_history"]
