"""``dspy.teleprompt.random_search``."""

from dspex.compat._names import unsupported
from dspex.optimizers import BootstrapFewShotWithRandomSearch

__getattr__ = unsupported(__name__)

__all__ = ["BootstrapFewShotWithRandomSearch"]
