"""DSPex: program language models the DSPy way.

Example::

    import dspex
    dspex.configure(lm=dspex.LM("openai/gpt-4o-mini"))
    qa = dspex.ChainOfThought("question -> answer")
    qa(question="...").answer
"""

from dspex import hybrid
from dspex.adapters import (
    Adapter,
    AdapterParseError,
    ChatAdapter,
    JSONAdapter,
    TwoStepAdapter,
    XMLAdapter,
)
from dspex.evaluate import (
    Evaluate,
    EvaluationResult,
    SemanticF1,
    answer_exact_match,
    answer_passage_match,
    f1_score,
)
from dspex.lm import (
    LM,
    AuthenticationError,
    CircuitOpenError,
    ContextWindowExceededError,
    Credential,
    Embedder,
    LMError,
    LMTimeoutError,
    LocalModelCrashed,
    RateLimitError,
    track_calls,
)
from dspex.modules import (
    BestOfN,
    ChainOfThought,
    MajorityVote,
    MultiChainComparison,
    NoLMConfiguredError,
    Parallel,
    ParallelExecutionError,
    Predict,
    ProgramOfThought,
    ProgramOfThoughtDisabledError,
    ProgramOfThoughtError,
    ReAct,
    Refine,
    get_module,
    majority,
    register_module,
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
from dspex.pipelines import Pipeline, PipelineError, PipelineLimits, PipelineValidationError
from dspex.primitives import (
    Assert,
    AssertionFailed,
    Completions,
    Example,
    Module,
    Prediction,
    Step,
    Suggest,
    track_steps,
)
from dspex.sandbox import PythonSandbox, SandboxError, SandboxLimits, SandboxResult
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
from dspex.streaming import StatusMessage, StreamChunk, streamify
from dspex.tools import CalculatorError, Tool, ToolArgumentError, calculator

__version__ = "0.1.0"

__all__ = [
    "COPRO",
    "KNN",
    "LM",
    "Adapter",
    "AdapterParseError",
    "Assert",
    "AssertionFailed",
    "AuthenticationError",
    "BestOfN",
    "BootstrapFewShot",
    "BootstrapFewShotWithRandomSearch",
    "CalculatorError",
    "ChainOfThought",
    "ChatAdapter",
    "CircuitOpenError",
    "Completions",
    "ContextWindowExceededError",
    "Credential",
    "Embedder",
    "Ensemble",
    "Evaluate",
    "EvaluationResult",
    "Example",
    "FieldValidationError",
    "InputField",
    "JSONAdapter",
    "KNNFewShot",
    "LMError",
    "LMTimeoutError",
    "LabeledFewShot",
    "LocalModelCrashed",
    "MajorityVote",
    "Module",
    "MultiChainComparison",
    "NoLMConfiguredError",
    "OutputField",
    "Parallel",
    "ParallelExecutionError",
    "Pipeline",
    "PipelineError",
    "PipelineLimits",
    "PipelineValidationError",
    "Predict",
    "Prediction",
    "ProgramOfThought",
    "ProgramOfThoughtDisabledError",
    "ProgramOfThoughtError",
    "PythonSandbox",
    "RateLimitError",
    "ReAct",
    "Refine",
    "SandboxError",
    "SandboxLimits",
    "SandboxResult",
    "SemanticF1",
    "Signature",
    "SignatureError",
    "StatusMessage",
    "Step",
    "StreamChunk",
    "Suggest",
    "Tool",
    "ToolArgumentError",
    "TwoStepAdapter",
    "XMLAdapter",
    "answer_exact_match",
    "answer_passage_match",
    "calculator",
    "configure",
    "context",
    "ensure_signature",
    "f1_score",
    "get_module",
    "hybrid",
    "majority",
    "make_signature",
    "register_module",
    "settings",
    "streamify",
    "track_calls",
    "track_steps",
]
