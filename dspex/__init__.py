"""DSPex: program language models the DSPy way.

import dspex
dspex.configure(lm=dspex.LM("openai/gpt-4o-mini"))
qa = dspex.ChainOfThought("question -> answer")
qa(question="...").answer
"""

from dspex.adapters import Adapter, AdapterParseError, ChatAdapter, JSONAdapter
from dspex.modules import ChainOfThought, NoLMConfiguredError, Predict
from dspex.primitives import Completions, Example, Module, Prediction
from dspex.settings import configure, context, settings
from dspex.signatures import (
    FieldValidationError,
    InputField,
    OutputField,
    Signature,
    SignatureError,
    ensure_signature,
    make_signature,
)

__version__ = "0.1.0"

__all__ = [
    "LM",
    "Adapter",
    "AdapterParseError",
    "AuthenticationError",
    "ChainOfThought",
    "ChatAdapter",
    "Completions",
    "ContextWindowExceededError",
    "Example",
    "FieldValidationError",
    "InputField",
    "JSONAdapter",
    "LMError",
    "LMTimeoutError",
    "Module",
    "NoLMConfiguredError",
    "OutputField",
    "Predict",
    "Prediction",
    "RateLimitError",
    "Signature",
    "SignatureError",
    "configure",
    "context",
    "ensure_signature",
    "make_signature",
    "settings",
]

_LM_NAMES = {
    "LM",
    "LMError",
    "RateLimitError",
    "AuthenticationError",
    "ContextWindowExceededError",
    "LMTimeoutError",
    "track_calls",
}


def __getattr__(name: str):  # the LM layer is imported on first use
    if name in _LM_NAMES:
        import dspex.lm

        return getattr(dspex.lm, name)
    raise AttributeError(f"module 'dspex' has no attribute {name!r}")
