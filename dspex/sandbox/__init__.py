"""A sandbox for LM-written Python (used by ``ProgramOfThought``)."""

from dspex.sandbox.sandbox import PythonSandbox, SandboxError, SandboxLimits, SandboxResult

__all__ = ["PythonSandbox", "SandboxError", "SandboxLimits", "SandboxResult"]
