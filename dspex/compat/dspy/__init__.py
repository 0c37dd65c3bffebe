"""dspy's public names, mapped onto the dspex engine: ``import dspex.compat.dspy as dspy``.

An explicit map: every name below is an engine object under dspy's name. A dspy name that is
not listed raises an :class:`AttributeError` saying it is not supported yet. The submodules
mirror dspy's layout (``dspy.predict``, ``dspy.teleprompt``, ``dspy.utils``, ...). What differs
from dspy on purpose is listed in docs/dspy-compat.md.
"""

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter, TwoStepAdapter, XMLAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.compat._names import live, unsupported
from dspex.compat.dspy import (
    adapters,
    clients,
    evaluate,
    experimental,
    predict,
    primitives,
    signatures,
    streaming,
    teleprompt,
    utils,
)
from dspex.evaluate import Evaluate
from dspex.lm import (
    LM,
    AuthenticationError,
    ContextWindowExceededError,
    Embedder,
    LMConfigurationError,
    LMError,
    LMTimeoutError,
    RateLimitError,
)
from dspex.lm import request_cache as _request_cache
from dspex.lm.base import BaseLM
from dspex.lm.history import inspect_history
from dspex.lm.request_cache import configure_cache
from dspex.lm.usage import track_usage
from dspex.modules import (
    BestOfN,
    ChainOfThought,
    MultiChainComparison,
    Predict,
    ProgramOfThought,
    ReAct,
    Refine,
    majority,
)
from dspex.optimizers import (
    COPRO,
    KNN,
    BootstrapFewShot,
    BootstrapFewShotWithRandomSearch,
    Ensemble,
    KNNFewShot,
    LabeledFewShot,
)
from dspex.primitives import Completions, Example, Module, Prediction
from dspex.primitives.parallel import Parallel
from dspex.primitives.saving import load
from dspex.settings import configure, context, load_settings, settings
from dspex.signatures import (
    InputField,
    OutputField,
    Signature,
    SignatureMeta,
    ensure_signature,
    infer_prefix,
    make_signature,
)
from dspex.streaming.program import stream_program as streamify
from dspex.tools import Tool
from dspex.types import (
    Audio,
    Code,
    File,
    History,
    Image,
    Reasoning,
    ToolCallResults,
    ToolCalls,
    Type,
)
from dspex.utils.asyncify import asyncify, syncify

BootstrapRS = BootstrapFewShotWithRandomSearch
LMAuthError = AuthenticationError
LMRateLimitError = RateLimitError

__getattr__ = unsupported(__name__)

# ``dspy.cache`` is the engine's current request cache: assigning it (or patching it) replaces
# that cache, deleting it restores the one before.
live(
    __name__,
    cache=(_request_cache.current_cache, _request_cache.set_cache, _request_cache.restore_cache),
)

__all__ = [
    "COPRO",
    "KNN",
    "LM",
    "Adapter",
    "AdapterParseError",
    "Audio",
    "BaseLM",
    "BestOfN",
    "BootstrapFewShot",
    "BootstrapFewShotWithRandomSearch",
    "BootstrapRS",
    "ChainOfThought",
    "ChatAdapter",
    "Code",
    "Completions",
    "ContextWindowExceededError",
    "Embedder",
    "Ensemble",
    "Evaluate",
    "Example",
    "File",
    "History",
    "Image",
    "InputField",
    "JSONAdapter",
    "KNNFewShot",
    "LMAuthError",
    "LMConfigurationError",
    "LMError",
    "LMRateLimitError",
    "LMTimeoutError",
    "LabeledFewShot",
    "Module",
    "MultiChainComparison",
    "OutputField",
    "Parallel",
    "Predict",
    "Prediction",
    "ProgramOfThought",
    "ReAct",
    "Reasoning",
    "Refine",
    "Signature",
    "SignatureMeta",
    "Tool",
    "ToolCallResults",
    "ToolCalls",
    "TwoStepAdapter",
    "Type",
    "XMLAdapter",
    "adapters",
    "asyncify",
    "clients",
    "configure",
    "configure_cache",
    "context",
    "ensure_signature",
    "evaluate",
    "experimental",
    "infer_prefix",
    "inspect_history",
    "load",
    "load_settings",
    "majority",
    "make_signature",
    "predict",
    "primitives",
    "settings",
    "signatures",
    "streamify",
    "streaming",
    "syncify",
    "teleprompt",
    "track_usage",
    "utils",
]
