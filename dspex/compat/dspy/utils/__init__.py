"""``dspy.utils``: the test doubles and helpers, mapped onto the engine."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.utils import dummies, exceptions, saving
from dspex.utils.dummies import DummyLM, DummyVectorizer

__getattr__ = unsupported(__name__)

__all__ = ["DummyLM", "DummyVectorizer", "dummies", "exceptions", "saving"]
