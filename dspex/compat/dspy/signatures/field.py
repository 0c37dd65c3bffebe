"""``dspy.signatures.field``."""

from dspex.compat._names import unsupported
from dspex.signatures import InputField, OutputField

__getattr__ = unsupported(__name__)

__all__ = ["InputField", "OutputField"]
