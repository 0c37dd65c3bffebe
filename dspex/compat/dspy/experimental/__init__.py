"""``dspy.experimental``: the citation types (the rest of dspy's experimental names are not mapped)."""

from dspex.compat._names import unsupported
from dspex.types import Citations, Document

__getattr__ = unsupported(__name__)

__all__ = [
    "Citations",
    "Document",
]
