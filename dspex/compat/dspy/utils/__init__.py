"""``dspy.utils``: the test doubles and helpers, mapped onto the engine."""

from dspex.callbacks import BaseCallback, with_callbacks
from dspex.compat._names import unsupported
from dspex.compat.dspy.utils import (
    asyncify,
    callback,
    callback_context,
    dummies,
    exceptions,
    inspect_history,
    saving,
    syncify,
    usage_tracker,
)
from dspex.lm.history import pretty_print_history
from dspex.utils.dummies import DummyLM, DummyVectorizer

__getattr__ = unsupported(__name__)

__all__ = [
    "BaseCallback",
    "DummyLM",
    "DummyVectorizer",
    "asyncify",
    "callback",
    "callback_context",
    "dummies",
    "exceptions",
    "inspect_history",
    "pretty_print_history",
    "saving",
    "syncify",
    "usage_tracker",
    "with_callbacks",
]
