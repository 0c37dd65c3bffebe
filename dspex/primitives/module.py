"""``Module``: the base class of every program (composable, with JSON state)."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import logging
import re
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from dspex.primitives import hooks as _hooks
from dspex.primitives.parallel import Parallel
from dspex.primitives.streamify import streamify

__all__ = ["Module", "Parameter", "set_attribute_by_name"]

logger = logging.getLogger(__name__)


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

    # Set on a program an optimizer returns (as DSPy marks compiled programs); ``named_sub_modules``
    # can skip such programs.
    _compiled: bool = False

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
        head = chain.head
        if head is None:
            return self.forward(*args, **kwargs)
        return head(self, args, kwargs, chain.rest)

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        """Run :meth:`aforward` (``await module.acall(question=...)``) through the call hooks."""
        if args and self._keyword_only:
            raise TypeError(self._positional_error())
        chain = _hooks.CHAINS.get(type(self)) or _hooks.chain_for(type(self))
        ahead = chain.ahead
        if ahead is None:
            return await self.aforward(*args, **kwargs)
        return await ahead(self, args, kwargs, chain.arest)

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

    def parameters(self) -> list[Parameter]:
        """Every predictor of the program (the values of :meth:`named_parameters`)."""
        return [parameter for _, parameter in self.named_parameters()]

    def named_sub_modules(
        self, type_: type | None = None, skip_compiled: bool = False
    ) -> Iterator[tuple[str, Any]]:
        """Every module reachable from this one, breadth first, starting with ``("self", self)``.

        Paths read ``self.sub``, ``self.items[0]``, ``self.table[key]``; an object reached twice
        is listed once, under its first path. ``type_`` keeps only instances of that type (default
        :class:`Module`); ``skip_compiled=True`` does not look inside compiled sub-programs.
        """
        wanted = Module if type_ is None else type_
        queue: deque[tuple[str, Any]] = deque([("self", self)])
        seen = {id(self)}

        def enqueue(name: str, value: Any) -> None:
            if id(value) not in seen:
                seen.add(id(value))
                queue.append((name, value))

        while queue:
            name, value = queue.popleft()
            if isinstance(value, wanted):
                yield name, value
            if isinstance(value, Module):
                if skip_compiled and value._compiled and value is not self:
                    continue
                for attr, item in vars(value).items():
                    enqueue(f"{name}.{attr}", item)
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    enqueue(f"{name}[{index}]", item)
            elif isinstance(value, dict):
                for key, item in value.items():
                    enqueue(f"{name}[{key}]", item)

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
        """A deep copy; LM clients are shared, not copied.

        An attribute that cannot be deep-copied (a lock, a client) is copied shallowly, or else
        shared with the copy; sub-modules are still copied deeply.
        """
        memo: dict[int, Any] = {}
        for _, predictor in self.named_predictors():
            if getattr(predictor, "lm", None) is not None:
                memo[id(predictor.lm)] = predictor.lm
        try:
            clone: Module = _deepcopy_or_undo(self, memo)
            return clone
        except Exception:  # something inside refuses to be copied: go attribute by attribute
            return self._copy_by_attribute(memo)

    def _copy_by_attribute(self, memo: dict[int, Any]) -> Module:
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for attr, value in vars(self).items():
            try:
                copied = _deepcopy_or_undo(value, memo)
            except Exception:
                if isinstance(value, Module):  # the same fallback one level down
                    copied = memo[id(value)] = value._copy_by_attribute(memo)
                else:
                    copied = _copy_or_share(value)
            setattr(clone, attr, copied)
        return clone

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
        # All or nothing: a predictor that fails to load puts every predictor back as it was.
        before = {name: dict(vars(predictor)) for name, predictor in predictors.items()}
        try:
            for name, predictor in predictors.items():
                if name in state:
                    predictor.load_state(state[name], allow_unsafe_lm_state=allow_unsafe_lm_state)
        except BaseException:
            for name, predictor in predictors.items():
                vars(predictor).clear()
                vars(predictor).update(before[name])
            raise
        return self

    def save(
        self, path: str | Path, save_program: bool = False, modules_to_serialize: list[Any] | None = None
    ) -> None:
        """Write the state as JSON (DSPy's layout, plus ``metadata``) to ``path``.

        Pickle is never written: a ``.pkl`` path is refused, and so is ``save_program=True``
        (DSPy pickles the whole program with cloudpickle for it). Rebuild the program in code and
        load its JSON state instead. ``modules_to_serialize`` only belongs to ``save_program``.
        """
        if save_program or modules_to_serialize:
            raise ValueError(
                f"dspex saves a program's state as JSON only: save_program=True would pickle the "
                f"{type(self).__name__} program, and pickle is never written or loaded. Save the state "
                f"with program.save('program.json'), rebuild the program in code, then "
                f"program.load('program.json')"
            )
        path = Path(path)
        if path.suffix == ".pkl":
            raise ValueError(
                f"dspex never writes pickle files (got {path.name}): save the state as JSON, e.g. "
                f"{path.with_suffix('.json').name}"
            )
        state = self.dump_state()
        state["metadata"] = saved_metadata()
        path.write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")

    def load(
        self, path: str | Path, allow_pickle: bool = False, allow_unsafe_lm_state: bool = False
    ) -> Module:
        """Load state written by ``save`` (here or by ``dspy``'s ``program.save("x.json")``).

        Only JSON is read. ``allow_pickle`` is accepted for DSPy code but changes nothing: a
        ``.pkl`` file is refused either way. A saved file whose dependency versions differ from
        this environment's loads with one warning per difference.
        """
        path = Path(path)
        if path.suffix == ".pkl":
            raise ValueError(
                f"Loading .pkl files can run arbitrary code, so pickle is never loaded by dspex "
                f"(allow_pickle=True does not change that; got {path.name}): load a JSON state file"
            )
        if path.suffix not in (".json", ""):
            raise ValueError(f"only JSON state files are supported (got {path.name}); pickle is never loaded")
        state = json.loads(path.read_text(encoding="utf-8"))
        metadata = state.pop("metadata", None)
        if isinstance(metadata, dict):
            warn_on_version_mismatch(metadata, logger)
        return self.load_state(state, allow_unsafe_lm_state=allow_unsafe_lm_state)

    def __repr__(self) -> str:
        inner = "\n".join(f"  {name} = {predictor!r}" for name, predictor in self.named_predictors())
        return f"{type(self).__name__}(\n{inner}\n)" if inner else f"{type(self).__name__}()"


def _deepcopy_or_undo(value: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(value, memo)``; when it fails, the half-built copies it left in ``memo``
    are removed, so that objects shared between attributes stay shared in the copy."""
    before = set(memo)
    try:
        return copy.deepcopy(value, memo)
    except Exception:
        for key in set(memo) - before:
            del memo[key]
        raise


def _copy_or_share(value: Any) -> Any:
    try:
        return copy.copy(value)
    except Exception:  # not copyable at all: the copy shares it
        return value


# One step of an attribute path: ``.name``, ``[0]``, ``['key']``, ``["key"]`` or ``[key]``.
_PATH_STEP = re.compile(r"""\.?([A-Za-z_]\w*)|\[(-?\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\[([^\]'"]+)\]""")


def _path_steps(path: str) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = []
    position = 0
    while position < len(path):
        match = _PATH_STEP.match(path, position)
        # The path starts with a bare attribute name; later attributes follow a dot.
        is_attr = match is not None and match.group(1) is not None
        if (
            match is None
            or (not is_attr and position == 0)
            or (is_attr and match.group(0).startswith(".") != (position > 0))
        ):
            raise ValueError(f"cannot read the attribute path {path!r} at position {position}")
        attr, index, single, double, bare = match.groups()
        if attr is not None:
            steps.append(("attr", attr))
        elif index is not None:
            steps.append(("item", int(index)))
        else:
            steps.append(("item", next(k for k in (single, double, bare) if k is not None)))
        position = match.end()
    if not steps:
        raise ValueError("an attribute path must not be empty")
    return steps


def set_attribute_by_name(obj: Any, name: str, value: Any) -> None:
    """Set the attribute or item at the path ``name`` (``"sub.items[0]['key'].demos"``, the
    paths of :meth:`Module.named_sub_modules` and :meth:`Module.named_parameters`) to ``value``.

    The path is parsed, never evaluated.
    """
    *parents, (kind, last) = _path_steps(name)
    target = obj
    for step_kind, key in parents:
        target = getattr(target, key) if step_kind == "attr" else target[key]
    if kind == "attr":
        setattr(target, last, value)
    else:
        target[last] = value


def get_dependency_versions() -> dict[str, str]:
    """The versions a saved file records under ``metadata.dependency_versions``."""
    # dspy.load() looks up every key of ``dependency_versions`` in its own versions, so only keys
    # it knows go there; our version is kept next to it (see :func:`saved_metadata`).
    return {"python": f"{sys.version_info.major}.{sys.version_info.minor}"}


def saved_metadata() -> dict[str, Any]:
    """The ``metadata`` entry of a saved program file (what ``Module.save`` writes)."""
    return {"dependency_versions": get_dependency_versions(), "dspex_version": _dspex_version()}


def warn_on_version_mismatch(metadata: dict[str, Any], log: logging.Logger) -> None:
    """Log one warning per dependency whose version in a saved file's ``metadata`` differs from
    this environment's (dependencies this environment does not record are not compared)."""
    saved = metadata.get("dependency_versions")
    if not isinstance(saved, dict):
        return
    current = get_dependency_versions()
    for name, version in saved.items():
        if name in current and str(version) != current[name]:
            log.warning(
                "There is a mismatch of %s version between the saved file (%s) and this environment "
                "(%s); loading may behave differently",
                name,
                version,
                current[name],
            )


def _dspex_version() -> str:
    try:
        return metadata.version("dspex")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
