"""``dspy.adapters.two_step_adapter``."""

from dspex.adapters import TwoStepAdapter
from dspex.compat._names import unsupported

__getattr__ = unsupported(__name__)

__all__ = ["TwoStepAdapter"]
