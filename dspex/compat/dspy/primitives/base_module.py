"""``dspy.primitives.base_module``: dspy's base class is :class:`dspex.Module` itself."""

from dspex.compat._names import unsupported
from dspex.primitives import Module

BaseModule = Module

__getattr__ = unsupported(__name__)

__all__ = ["BaseModule"]
