"""``Assert`` and ``Suggest``: checks inside a module's ``forward`` that send the LM back.

Every ``Module.__call__`` / ``acall`` runs its ``forward`` in an *assertion scope* (a call hook,
:data:`ASSERTION_SCOPE`, registered by ``dspex.primitives``). Modules whose ``forward`` runs no
checks of its own (``Predict``, ``ChainOfThought``: marked with :func:`without_assertion_scope`)
skip it; checks in the program around them still send them back. When
``dspex.Assert(condition, message)`` fails inside it, the scope re-runs ``forward``; this time the
predictor that was called last before the check (or ``target_module``) gets two kinds of extra
input fields — ``past_<output>`` with what it answered and ``feedback`` with every message it
failed so far (DSPy 2.5's backtracking prompt). After ``max_backtracks`` retries (default 2;
``dspex.configure(max_backtracks=...)`` or a ``max_backtracks`` attribute on the module) the
failure raises :class:`AssertionFailed`. ``dspex.Suggest`` retries the same way, but when the
retries are used up the run continues: the message is logged as a warning, recorded as a
``suggestion.missed`` step and kept in ``prediction.suggestion_failures``.

Only the calls of the final attempt reach ``dspex.settings.trace`` (so optimizers never learn
from a rejected answer). Outside any module call, a failing ``Assert`` raises at once and a
failing ``Suggest`` only logs.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dspex.primitives.hooks import CallHook, Proceed, ProceedAsync
from dspex.primitives.prediction import Prediction
from dspex.primitives.predictor_hooks import predictor_hook
from dspex.primitives.steps import record_step
from dspex.settings import settings
from dspex.signatures.field import InputField

__all__ = [
    "ASSERTION_SCOPE",
    "Assert",
    "AssertionFailed",
    "AssertionScope",
    "Suggest",
    "acall_with_assertions",
    "call_with_assertions",
    "without_assertion_scope",
]

logger = logging.getLogger("dspex.assertions")

DEFAULT_MAX_BACKTRACKS = 2


class AssertionFailed(Exception):
    """A ``dspex.Assert`` still failed after every retry.

    ``message`` is the assertion's message, ``attempts`` how many times the module ran,
    ``target`` the path of the predictor that was retried (when there was one) and
    ``past_outputs`` its last answer.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        target: str | None = None,
        past_outputs: dict[str, Any] | None = None,
    ):
        self.message = message
        self.attempts = attempts
        self.target = target
        self.past_outputs = past_outputs or {}
        where = f" (predictor {target!r})" if target else ""
        super().__init__(f"Assertion failed after {attempts} attempt(s){where}: {message}")


class _Backtrack(Exception):
    """Raised by a failing check to make its scope run ``forward`` again."""

    def __init__(self, scope: _Scope, message: str, kind: str, target: tuple[Any, Any, Any]):
        super().__init__(message)
        self.scope = scope
        self.message = message
        self.kind = kind
        self.target = target


@dataclass
class _Feedback:
    predictor: Any
    messages: list[str] = field(default_factory=list)
    past_outputs: dict[str, Any] = field(default_factory=dict)


class _Scope:
    """The state of one module call: attempt number, feedback per predictor, the attempt's trace."""

    def __init__(self, module: Any):
        self.module = module
        configured = getattr(module, "max_backtracks", None)
        if configured is None:
            configured = settings.get("max_backtracks", DEFAULT_MAX_BACKTRACKS)
        self.max_backtracks = max(0, int(configured if configured is not None else DEFAULT_MAX_BACKTRACKS))
        self.attempt = 0
        self.feedback: dict[int, _Feedback] = {}
        self.trace: list[tuple[Any, Any, Any]] = []  # (predictor, inputs, prediction)
        self.misses: list[str] = []

    @property
    def final(self) -> bool:
        return self.attempt >= self.max_backtracks

    # -- running ----------------------------------------------------------------------------
    def _begin(self) -> Any:
        self.trace = []
        self.misses = []
        return settings.get("trace")

    def _end(self, outer: Any, result: Any) -> Any:
        if outer is not None:
            outer.extend(self.trace)
        if self.misses and isinstance(result, Prediction):
            object.__setattr__(result, "_suggestion_failures", list(self.misses))
        return result

    def _attempt(self, proceed: Proceed, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """One run: its predictor calls go to this attempt's trace; retried predictors get feedback."""
        token = settings.push(trace=self.trace)
        try:
            if not self.feedback:
                return proceed(module, args, kwargs)
            with predictor_hook(self._hook):
                return proceed(module, args, kwargs)
        finally:
            settings.pop(token)

    async def _aattempt(
        self, proceed: ProceedAsync, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        token = settings.push(trace=self.trace)
        try:
            if not self.feedback:
                return await proceed(module, args, kwargs)
            with predictor_hook(self._hook):
                return await proceed(module, args, kwargs)
        finally:
            settings.pop(token)

    def _retry(self, signal: _Backtrack) -> None:
        predictor, _, prediction = signal.target
        entry = self.feedback.setdefault(id(predictor), _Feedback(predictor))
        if signal.message not in entry.messages:
            entry.messages.append(signal.message)
        entry.past_outputs = _outputs_of(prediction)
        self.attempt += 1
        target = self.path_of(predictor)
        logger.info(
            "%s failed in %s (attempt %d of %d), retrying %s: %s",
            "Assertion" if signal.kind == "assert" else "Suggestion",
            type(self.module).__name__,
            self.attempt,
            self.max_backtracks + 1,
            target,
            signal.message,
        )
        record_step(
            "assertion.backtrack",
            self.module,
            check=signal.kind,
            message=signal.message,
            attempt=self.attempt,
            target=target,
            past_outputs=entry.past_outputs,
        )

    # -- targets ----------------------------------------------------------------------------
    def find_target(self, target_module: Any) -> tuple[Any, Any, Any] | None:
        """The last predictor call of this attempt (made by ``target_module`` when given)."""
        if target_module is None:
            return self.trace[-1] if self.trace else None
        wanted = {id(target_module)}
        if hasattr(target_module, "named_predictors"):
            wanted |= {id(p) for _, p in target_module.named_predictors()}
        for entry in self.trace[::-1]:
            if id(entry[0]) in wanted:
                return entry
        return None

    def path_of(self, predictor: Any) -> str:
        try:
            for name, candidate in self.module.named_predictors():
                if candidate is predictor:
                    return str(name)
        except Exception:  # a module whose structure cannot be walked
            pass
        return repr(predictor)

    # -- the extra inputs of a retried predictor ----------------------------------------------
    def _hook(self, predictor: Any, signature: Any, inputs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        entry = self.feedback.get(id(predictor))
        if entry is None or entry.predictor is not predictor:
            return signature, inputs
        return with_feedback(signature, inputs, entry.messages, entry.past_outputs)


def with_feedback(
    signature: Any, inputs: dict[str, Any], messages: list[str], past_outputs: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """``signature`` with ``past_<output>`` and ``feedback`` inputs (DSPy 2.5's retry signature)."""
    inputs = dict(inputs)
    for name, output in list(signature.output_fields.items()):
        value = past_outputs.get(name)
        past_name = f"past_{name}"
        if value is None:
            continue
        if past_name not in signature.fields:
            prefix = (output.prefix or f"{name}:").split(":")[0] + ":"
            signature = signature.append(
                past_name,
                InputField(prefix=f"Previous {prefix}", desc=f"past {prefix[:-1]} with errors"),
                type_=output.annotation,
            )
        inputs[past_name] = value
    name = "feedback" if "feedback" not in signature.output_fields else "assertion_feedback"
    text = "\n".join(messages)
    if name in signature.fields:
        previous = inputs.get(name)
        inputs[name] = f"{previous}\n{text}" if previous else text
    else:
        signature = signature.append(
            name, InputField(prefix="Instructions:", desc="Some instructions you must satisfy"), type_=str
        )
        inputs[name] = text
    return signature, inputs


def _outputs_of(prediction: Any) -> dict[str, Any]:
    if hasattr(prediction, "to_dict"):
        outputs: dict[str, Any] = prediction.to_dict()
        return outputs
    return dict(prediction or {})


_scopes: contextvars.ContextVar[tuple[_Scope, ...]] = contextvars.ContextVar(
    "dspex_assertion_scopes", default=()
)


def _current() -> _Scope | None:
    scopes = _scopes.get()
    return scopes[-1] if scopes else None


def call_with_assertions(
    module: Any, forward: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Run ``forward(*args, **kwargs)`` in an assertion scope (what ``Module.__call__`` does)."""
    return ASSERTION_SCOPE.call(module, args, kwargs, proceed=lambda _, a, k: forward(*a, **k))


async def acall_with_assertions(
    module: Any, aforward: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Async :func:`call_with_assertions` (what ``Module.acall`` does)."""
    return await ASSERTION_SCOPE.acall(module, args, kwargs, proceed=lambda _, a, k: aforward(*a, **k))


_NO_SCOPE = "__dspex_no_assertion_scope__"
_F = TypeVar("_F", bound=Callable[..., Any])


def without_assertion_scope(method: _F) -> _F:
    """Mark a ``forward``/``aforward`` that evaluates no ``Assert``/``Suggest`` itself (no user
    code runs in it), so its calls need no scope of their own. A subclass that overrides the
    method gets its scope back unless it marks its own method too."""
    setattr(method, _NO_SCOPE, True)
    return method


class AssertionScope(CallHook):
    """The call hook that runs every module call in an assertion scope (outside the router, so
    a retry is routed again)."""

    order = 50

    def applies_to(self, cls: type) -> bool:
        forward = getattr(cls, "forward", None)
        aforward = getattr(cls, "aforward", None)
        return not (getattr(forward, _NO_SCOPE, False) and getattr(aforward, _NO_SCOPE, False))

    # Each attempt gets a fresh copy of the keyword arguments: the router takes ``backend=`` out
    # of the dict it is given, and a retry must be routed the same way.
    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        scope = _Scope(module)
        token = _scopes.set((*_scopes.get(), scope))
        try:
            while True:
                outer = scope._begin()
                try:
                    result = scope._attempt(proceed, module, args, dict(kwargs))
                except _Backtrack as signal:
                    if signal.scope is not scope:
                        raise
                    scope._retry(signal)
                    continue
                return scope._end(outer, result)
        finally:
            _scopes.reset(token)

    async def acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        scope = _Scope(module)
        token = _scopes.set((*_scopes.get(), scope))
        try:
            while True:
                outer = scope._begin()
                try:
                    result = await scope._aattempt(proceed, module, args, dict(kwargs))
                except _Backtrack as signal:
                    if signal.scope is not scope:
                        raise
                    scope._retry(signal)
                    continue
                return scope._end(outer, result)
        finally:
            _scopes.reset(token)


ASSERTION_SCOPE = AssertionScope()


def Assert(condition: Any, message: str = "", target_module: Any = None) -> None:
    """Require ``condition``; otherwise retry the last predictor with ``message`` as feedback.

    Raises :class:`AssertionFailed` once the retries (``max_backtracks``) are used up, or at
    once when no predictor was called before the check (nothing could change the outcome).
    """
    if condition:
        return
    scope = _current()
    if scope is None:
        record_step("assertion.failed", "Assert", message=message, attempts=1, target=None)
        raise AssertionFailed(message, attempts=1)
    target = scope.find_target(target_module)
    if target is None or scope.final:
        path = scope.path_of(target[0]) if target is not None else None
        past = _outputs_of(target[2]) if target is not None else None
        record_step(
            "assertion.failed", scope.module, message=message, attempts=scope.attempt + 1, target=path
        )
        raise AssertionFailed(message, attempts=scope.attempt + 1, target=path, past_outputs=past)
    raise _Backtrack(scope, message, "assert", target)


def Suggest(condition: Any, message: str = "", target_module: Any = None) -> None:
    """Like :func:`Assert`, but when the retries are used up the run goes on: the miss is logged,
    recorded as a ``suggestion.missed`` step and listed in ``prediction.suggestion_failures``."""
    if condition:
        return
    scope = _current()
    if scope is not None:
        target = scope.find_target(target_module)
        if target is not None and not scope.final:
            raise _Backtrack(scope, message, "suggest", target)
        scope.misses.append(message)
        attempts = scope.attempt + 1
        module: Any = scope.module
    else:
        attempts, module = 1, "Suggest"
    logger.warning("Suggestion not met after %d attempt(s): %s", attempts, message)
    record_step("suggestion.missed", module, message=message, attempts=attempts)
