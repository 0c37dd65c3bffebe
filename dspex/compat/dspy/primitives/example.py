"""``dspy.primitives.example``."""

from dspex.compat._names import unsupported
from dspex.primitives import Example

__getattr__ = unsupported(__name__)

__all__ = ["Example"]
