"""``dspy.predict.parallel``."""

from dspex.compat._names import unsupported
from dspex.primitives.parallel import Parallel

__getattr__ = unsupported(__name__)

__all__ = ["Parallel"]
