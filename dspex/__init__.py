"""DSPex: program language models the DSPy way.

Example::

    import dspex
    dspex.configure(lm=dspex.LM("openai/gpt-4o-mini"))
    qa = dspex.ChainOfThought("question -> answer")
    qa(question="...").answer
"""

from dspex import hybrid
from dspex.adapters import Adapter, AdapterParseError, ChatAdapter, JSONAdapter
from dspex.evaluate import Evaluate, EvaluationResult, answer_exact_match, answer_passage_match, f1_score
from dspex.lm import (
    LM,
    AuthenticationError,
    CircuitOpenError,
    ContextWindowExceededError,
    LMError,
    LMTimeoutError,
    RateLimitError,
    track_calls,
)
from dspex.modules import ChainOfThought, NoLMConfiguredError, Predict
from dspex.optimizers import BootstrapFewShot, LabeledFewShot
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
    "BootstrapFewShot",
    "ChainOfThought",
    "ChatAdapter",
    "CircuitOpenError",
    "Completions",
    "ContextWindowExceededError",
    "Evaluate",
    "EvaluationResult",
    "Example",
    "FieldValidationError",
    "InputField",
    "JSONAdapter",
    "LMError",
    "LMTimeoutError",
    "LabeledFewShot",
    "Module",
    "NoLMConfiguredError",
    "OutputField",
    "Predict",
    "Prediction",
    "RateLimitError",
    "Signature",
    "SignatureError",
    "answer_exact_match",
    "answer_passage_match",
    "configure",
    "context",
    "ensure_signature",
    "f1_score",
    "hybrid",
    "make_signature",
    "settings",
    "track_calls",
]
