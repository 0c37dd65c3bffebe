"""The call hook behind ``configure(track_usage=True)``: a Prediction knows its tokens.

With the setting on, the outermost module call counts the tokens of every LM call it makes
(:func:`dspex.lm.usage.track_usage`) and records them on the Prediction it returns
(``pred.get_lm_usage()``: tokens per LM). The hook is registered only once ``track_usage`` is
set: until then module calls do not go through it.
"""

from __future__ import annotations

from typing import Any

from dspex.lm.usage import track_usage
from dspex.primitives.hooks import CallHook, Proceed, ProceedAsync, register_call_hook, unregister_call_hook
from dspex.primitives.prediction import Prediction
from dspex.settings import settings

__all__ = ["USAGE_HOOK", "UsageHook", "uninstall"]


def _outermost_tracking() -> bool:
    return bool(settings.get("track_usage")) and settings.get("usage_tracker") is None


def _record(output: Any, usage: dict[str, Any]) -> None:
    if isinstance(output, Prediction):
        output.set_lm_usage(usage)
    elif isinstance(output, list | tuple):
        for item in output:
            if isinstance(item, Prediction):
                item.set_lm_usage(usage)


class UsageHook(CallHook):
    """Token usage on the Predictions of outermost module calls, with ``track_usage=True``."""

    order = 5

    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        if not _outermost_tracking():
            return proceed(module, args, kwargs)
        with track_usage() as usage:
            output = proceed(module, args, kwargs)
        _record(output, usage.get_total_tokens())
        return output

    async def acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        if not _outermost_tracking():
            return await proceed(module, args, kwargs)
        with track_usage() as usage:
            output = await proceed(module, args, kwargs)
        _record(output, usage.get_total_tokens())
        return output


USAGE_HOOK = UsageHook()


def _on_track_usage(value: Any) -> None:
    if value:
        register_call_hook(USAGE_HOOK)


def uninstall() -> None:
    """Take the hook off the call chain until ``track_usage`` is next set (for tests)."""
    unregister_call_hook(USAGE_HOOK)


settings.watch("track_usage", _on_track_usage)
