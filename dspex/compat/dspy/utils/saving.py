"""``dspy.utils.saving``."""

from dspex.compat._names import unsupported
from dspex.primitives.module import get_dependency_versions
from dspex.primitives.saving import load, logger

__getattr__ = unsupported(__name__)

__all__ = ["get_dependency_versions", "load", "logger"]
