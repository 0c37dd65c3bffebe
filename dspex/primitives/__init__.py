"""Primitives: Example, Prediction, Module and its call hooks, assertions, step and stream events,
and the parallel runner behind ``Module.batch``.

Registration point: importing this package puts the assertion scope on the call chain of every
module (see :mod:`dspex.primitives.hooks`); ``Module`` itself does not know about it.
"""

from dspex.primitives import callback_hook as _callback_hook  # noqa: F401 - installs itself on use
from dspex.primitives import usage_hook as _usage_hook  # noqa: F401 - installs itself on use
from dspex.primitives.assertions import ASSERTION_SCOPE, Assert, AssertionFailed, Suggest
from dspex.primitives.example import Example
from dspex.primitives.hooks import CallHook, call_hooks, register_call_hook, unregister_call_hook
from dspex.primitives.module import Module, Parameter
from dspex.primitives.prediction import Completions, Prediction
from dspex.primitives.steps import Step, track_steps

register_call_hook(ASSERTION_SCOPE)

__all__ = [
    "Assert",
    "AssertionFailed",
    "CallHook",
    "Completions",
    "Example",
    "Module",
    "Parameter",
    "Prediction",
    "Step",
    "Suggest",
    "call_hooks",
    "register_call_hook",
    "track_steps",
    "unregister_call_hook",
]
