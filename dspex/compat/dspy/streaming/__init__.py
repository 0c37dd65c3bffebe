"""``dspy.streaming``: mapped onto :mod:`dspex.streaming`."""

from dspex.compat._names import unsupported
from dspex.streaming import StatusMessage, streamify

__getattr__ = unsupported(__name__)

__all__ = ["StatusMessage", "streamify"]
