"""Tools for agents: ``Tool`` (wrap any callable) and the built-in ``calculator``."""

from dspex.tools.calculator import CalculatorError, calculate, calculator
from dspex.tools.tool import Tool, ToolArgumentError

__all__ = ["CalculatorError", "Tool", "ToolArgumentError", "calculate", "calculator"]
