"""``dspy.teleprompt.teleprompt``: dspy's optimizer base is :class:`dspex.optimizers.Optimizer`."""

from dspex.compat._names import unsupported
from dspex.optimizers import Optimizer

Teleprompter = Optimizer

__getattr__ = unsupported(__name__)

__all__ = ["Teleprompter"]
