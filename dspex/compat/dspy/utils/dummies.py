"""``dspy.utils.dummies``: the test doubles, mapped onto :mod:`dspex.utils.dummies`."""

from dspex.compat._names import unsupported
from dspex.utils.dummies import DummyLM, DummyVectorizer

__getattr__ = unsupported(__name__)

__all__ = ["DummyLM", "DummyVectorizer"]
