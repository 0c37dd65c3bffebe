"""``dspy.primitives.base_module``: dspy's base class is :class:`dspex.Module` itself."""

from dspex.compat._names import unsupported
from dspex.primitives import Module
from dspex.primitives.module import get_dependency_versions, logger

BaseModule = Module

__getattr__ = unsupported(__name__)

__all__ = ["BaseModule", "get_dependency_versions", "logger"]
