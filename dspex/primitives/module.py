"""``Module``: the base class of every program (composable, with JSON state)."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from dspex.primitives import hooks as _hooks
from dspex.primitives.parallel import Parallel
from dspex.primitives.streamify import streamify

__all__ = ["Module", "Parameter"]


class Parameter:
    """Marker base for learnable components (predictors): they own demos and instructions."""

    def dump_state(self) -> dict[str, Any]:
        """The learnable state as plain JSON data."""
        raise NotImplementedError

    def load_state(self, state: dict[str, Any], *, allow_unsafe_lm_state: bool = False) -> Any:
        """Restore what :meth:`dump_state` produced."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget everything learned (demos, per-predictor LM)."""
        raise NotImplementedError


class Module:
    """Base class of programs. Subclasses define ``forward`` (and optionally ``aforward``).

    Calling the module runs ``forward``; ``await module.acall(...)`` runs ``aforward``. State
    (demos and instructions of every predictor) is plain JSON in DSPy's layout.
    """

    # Set on a program an optimizer returns (as DSPy marks compiled programs); never read here.
    _compiled: bool

    # Called when a module is given callbacks (set by dspex.primitives.callback_hook, which
    # installs the hook that reports module calls to them).
    _callbacks_given: ClassVar[Callable[[], None] | None] = None

    def __init__(self, callbacks: list[Any] | None = None) -> None:
        """``callbacks``: :class:`dspex.callbacks.BaseCallback` s observing this module's calls
        only (on top of the configured ones)."""
        self.callbacks: list[Any] = list(callbacks or [])
        if self.callbacks and Module._callbacks_given is not None:
            Module._callbacks_given()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The program: compute a :class:`Prediction` from keyword inputs."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    async def aforward(self, *args: Any, **kwargs: Any) -> Any:
        """Async forward. The default runs ``forward`` in a worker thread (context preserved)."""
        context = contextvars.copy_context()
        return await asyncio.to_thread(context.run, lambda: self.forward(*args, **kwargs))

    _keyword_only = False
    """Calls take keyword inputs only (positional arguments are a ``TypeError`` naming them)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run :meth:`forward` through the registered call hooks (see :mod:`dspex.primitives.hooks`):
        with ``import dspex`` these are the assertion scope and the hybrid router (``backend=``
        picks native or dspy)."""
        if args and self._keyword_only:
            raise TypeError(self._positional_error())
        chain = _hooks.CHAINS.get(type(self)) or _hooks.chain_for(type(self))
        run = chain.run
        if run is None:
            return self.forward(*args, **kwargs)
        return run(self, args, kwargs)

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        """Run :meth:`aforward` (``await module.acall(question=...)``) through the call hooks."""
        if args and self._keyword_only:
            raise TypeError(self._positional_error())
        chain = _hooks.CHAINS.get(type(self)) or _hooks.chain_for(type(self))
        arun = chain.arun
        if arun is None:
            return await self.aforward(*args, **kwargs)
        return await arun(self, args, kwargs)

    def _positional_error(self) -> str:
        return f"{type(self).__name__} takes keyword arguments only"

    def batch(
        self,
        examples: list[Any],
        num_threads: int | None = None,
        max_errors: int | None = None,
        return_failed_examples: bool = False,
        provide_traceback: bool | None = None,
        disable_progress_bar: bool = True,
        timeout: float = 120,
        straggler_limit: int = 3,
    ) -> Any:
        """Run this module on every example in parallel threads (see :class:`dspex.Parallel`).

        Examples are ``Example``s (their ``inputs()`` are passed) or dicts of inputs. Failed
        examples give ``None``; ``return_failed_examples=True`` returns
        ``(results, failed_examples, exceptions)``; ``provide_traceback=True`` logs each
        failure's traceback. ``timeout`` and ``straggler_limit`` are accepted as in DSPy (see
        :class:`dspex.Parallel`).
        """
        parallel = Parallel(
            num_threads=num_threads,
            max_errors=max_errors,
            return_failed_examples=return_failed_examples,
            provide_traceback=provide_traceback,
            disable_progress_bar=disable_progress_bar,
            timeout=timeout,
            straggler_limit=straggler_limit,
        )
        return parallel.forward([(self, example) for example in examples])

    async def abatch(
        self,
        examples: list[Any],
        num_threads: int | None = None,
        max_errors: int | None = None,
        return_failed_examples: bool = False,
        provide_traceback: bool | None = None,
    ) -> Any:
        """Async :meth:`batch`: asyncio tasks over :meth:`acall`, ``num_threads`` at a time."""
        parallel = Parallel(
            num_threads=num_threads,
            max_errors=max_errors,
            return_failed_examples=return_failed_examples,
            provide_traceback=provide_traceback,
        )
        return await parallel.aforward([(self, example) for example in examples])

    def astream(self, **inputs: Any) -> AsyncIterator[Any]:
        """Run with streaming: ``async for item in module.astream(question=...)`` yields
        ``StreamChunk`` s, ``StatusMessage`` s and finally the Prediction (see ``dspex.streamify``)."""
        return streamify(self)(**inputs)

    # -- structure --------------------------------------------------------------------------
    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """Every predictor reachable from this module, with its dotted path (DSPy naming)."""
        found: list[tuple[str, Parameter]] = []
        seen: set[int] = set()

        def visit(name: str, value: Any) -> None:
            if id(value) in seen:
                return
            if isinstance(value, Parameter):
                seen.add(id(value))
                found.append((name, value))
                if isinstance(value, Module):
                    for sub_name, sub_value in value._children():
                        visit(f"{name}.{sub_name}" if name else sub_name, sub_value)
            elif isinstance(value, Module):
                seen.add(id(value))
                for sub_name, sub_value in value._children():
                    visit(f"{name}.{sub_name}" if name else sub_name, sub_value)
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    visit(f"{name}[{index}]", item)
            elif isinstance(value, dict):
                for key, item in value.items():
                    visit(f"{name}[{key!r}]", item)

        if isinstance(self, Parameter):
            found.append(("self", self))
            seen.add(id(self))
        for attr, value in self._children():
            visit(attr, value)
        return found

    def _children(self) -> Iterator[tuple[str, Any]]:
        for attr, value in vars(self).items():
            if attr.startswith("_") or attr in ("lm", "signature", "demos", "config", "callbacks"):
                continue
            yield attr, value

    def named_predictors(self) -> list[tuple[str, Any]]:
        """``(path, predictor)`` pairs, e.g. ``("generate.predict", Predict(...))``."""
        return self.named_parameters()

    def predictors(self) -> list[Any]:
        """Every predictor of the program, in :meth:`named_predictors` order."""
        return [p for _, p in self.named_predictors()]

    def set_lm(self, lm: Any) -> None:
        """Give every predictor its own ``lm``."""
        for _, predictor in self.named_predictors():
            predictor.lm = lm

    def get_lm(self) -> Any:
        """The LM every predictor uses (``None`` when unset); an error when they differ."""
        lms = {id(p.lm): p.lm for _, p in self.named_predictors()}
        if len(lms) > 1:
            raise ValueError("predictors use different LMs; ask each predictor instead")
        return next(iter(lms.values()), None)

    def deepcopy(self) -> Module:
        """A deep copy; LM clients are shared, not copied."""
        memo: dict[int, Any] = {}
        for _, predictor in self.named_predictors():
            if getattr(predictor, "lm", None) is not None:
                memo[id(predictor.lm)] = predictor.lm
        return copy.deepcopy(self, memo)

    def reset_copy(self) -> Module:
        """A deep copy with every predictor reset (no demos, no per-predictor LM)."""
        clone = self.deepcopy()
        for _, predictor in clone.named_predictors():
            predictor.reset()
        return clone

    # -- state ------------------------------------------------------------------------------
    def dump_state(self) -> dict[str, Any]:
        """``{predictor_path: {"demos", "signature": {...}, "lm", ...}}`` as plain JSON data."""
        return {name: predictor.dump_state() for name, predictor in self.named_predictors()}

    def load_state(self, state: dict[str, Any], *, allow_unsafe_lm_state: bool = False) -> Module:
        """Load state produced by ``dump_state`` (ours or DSPy's). Unknown predictor paths are an error.

        LM endpoints and key-variable names in the state are ignored unless
        ``allow_unsafe_lm_state=True`` (see :meth:`dspex.Predict.load_state`).
        """
        predictors = dict(self.named_predictors())
        unknown = [name for name in state if name not in predictors and name != "metadata"]
        if unknown:
            raise ValueError(
                f"state has predictors {unknown} that {type(self).__name__} does not have "
                f"(it has {sorted(predictors)})"
            )
        for name, predictor in predictors.items():
            if name in state:
                predictor.load_state(state[name], allow_unsafe_lm_state=allow_unsafe_lm_state)
        return self

    def save(self, path: str | Path) -> None:
        """Write the state as JSON (DSPy's layout, plus ``metadata``). Never pickle."""
        state = self.dump_state()
        state["metadata"] = saved_metadata()
        Path(path).write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")

    def load(self, path: str | Path, *, allow_unsafe_lm_state: bool = False) -> Module:
        """Load state written by ``save`` (here or by ``dspy``'s ``program.save("x.json")``)."""
        path = Path(path)
        if path.suffix not in (".json", ""):
            raise ValueError(f"only JSON state files are supported (got {path.name}); pickle is never loaded")
        state = json.loads(path.read_text(encoding="utf-8"))
        state.pop("metadata", None)
        return self.load_state(state, allow_unsafe_lm_state=allow_unsafe_lm_state)

    def __repr__(self) -> str:
        inner = "\n".join(f"  {name} = {predictor!r}" for name, predictor in self.named_predictors())
        return f"{type(self).__name__}(\n{inner}\n)" if inner else f"{type(self).__name__}()"


def saved_metadata() -> dict[str, Any]:
    """The ``metadata`` entry of a saved program file (what ``Module.save`` writes)."""
    # dspy.load() looks up every key of ``dependency_versions`` in its own versions, so only keys
    # it knows go there; our version is kept next to it.
    return {
        "dependency_versions": {"python": f"{sys.version_info.major}.{sys.version_info.minor}"},
        "dspex_version": _dspex_version(),
    }


def _dspex_version() -> str:
    try:
        return metadata.version("dspex")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
