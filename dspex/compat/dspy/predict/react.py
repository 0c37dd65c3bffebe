"""``dspy.predict.react``."""

from dspex.compat._names import unsupported
from dspex.modules import ReAct
from dspex.tools import Tool

__getattr__ = unsupported(__name__)

__all__ = ["ReAct", "Tool"]
