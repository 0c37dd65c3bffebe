"""``dspy.primitives``: mapped onto :mod:`dspex.primitives`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.primitives import base_module, example, module, prediction
from dspex.primitives import Completions, Example, Module, Prediction

__getattr__ = unsupported(__name__)

__all__ = [
    "Completions",
    "Example",
    "Module",
    "Prediction",
    "base_module",
    "example",
    "module",
    "prediction",
]
