"""``dspy.adapters.types.citation``."""

from dspex.compat._names import unsupported
from dspex.types.citations import Citations

__getattr__ = unsupported(__name__)

__all__ = [
    "Citations",
]
