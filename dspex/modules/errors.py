"""Errors of module calls that more than one backend raises (native ``Predict`` and the same call
run on dspy through the bridge), kept here so both import one definition and one message."""

from __future__ import annotations

__all__ = ["NO_LM_MESSAGE", "NoLMConfiguredError"]

NO_LM_MESSAGE = (
    "No LM is configured. Use dspex.configure(lm=dspex.LM('openai/gpt-4o-mini')), "
    "`with dspex.context(lm=...)`, or pass lm= to the call."
)


class NoLMConfiguredError(RuntimeError):
    """No LM was given to the predictor, the call, or ``dspex.configure(lm=...)``."""

    def __init__(self, message: str = NO_LM_MESSAGE) -> None:
        super().__init__(message)
