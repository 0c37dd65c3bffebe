"""``dspy.adapters.types.document``."""

from dspex.compat._names import unsupported
from dspex.types.citations import Document

__getattr__ = unsupported(__name__)

__all__ = [
    "Document",
]
