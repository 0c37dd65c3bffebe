"""``dspy.predict.chain_of_thought``."""

from dspex.compat._names import unsupported
from dspex.modules import ChainOfThought

__getattr__ = unsupported(__name__)

__all__ = ["ChainOfThought"]
