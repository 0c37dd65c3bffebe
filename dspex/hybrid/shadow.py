"""A dspex program as a dspy module, so dspy's optimizers can work on it.

A single ``Predict``/``ChainOfThought`` becomes the real dspy module. A composite program becomes
a *shadow*: a ``dspy.Module`` holding the dspex program plus one ``dspy.Predict`` per dspex
predictor. Its ``forward`` runs the dspex program's own ``forward`` while the router sends every
predictor call to the stand-in dspy predictor — the one the optimizer changes (demos,
instructions) and whose calls dspy traces. :func:`native_from_dspy` copies what the optimizer
learned back into a native copy of the program.
"""

from __future__ import annotations

import re
from typing import Any

from dspex.hybrid import dspy_bridge
from dspex.hybrid.registry import native_type_of
from dspex.hybrid.router import enter_bridge, exit_bridge
from dspex.primitives.module import Module

__all__ = ["is_shadow", "native_from_dspy", "predictor_pairs", "to_dspy_program"]

_shadow_class: Any = None


def _attr_name(path: str, taken: set[str]) -> str:
    name = re.sub(r"\W+", "_", path).strip("_") or "predict"
    if name == "self":
        name = "predict"
    base, index = name, 2
    while name in taken:
        name = f"{base}_{index}"
        index += 1
    taken.add(name)
    return name


def _make_shadow_class() -> Any:
    dspy_base: Any = dspy_bridge.load_dspy().Module

    class DspexProgram(dspy_base):
        """A dspex program seen by dspy: dspy predictors stand in for the dspex ones."""

        def __init__(self, program: Module) -> None:
            super().__init__()
            self._dspex_program = program
            taken: set[str] = set()
            self._dspex_paths: list[tuple[str, str]] = []
            for path, predictor in program.named_predictors():
                attr = _attr_name(path, taken)
                self._dspex_paths.append((path, attr))
                setattr(self, attr, dspy_bridge.predict_to_dspy(predictor))

        def _mapping(self) -> dict[int, Any]:
            natives = dict(self._dspex_program.named_predictors())
            return {id(natives[path]): getattr(self, attr) for path, attr in self._dspex_paths}

        def forward(self, **kwargs: Any) -> Any:
            token = enter_bridge(self._mapping())
            try:
                result = self._dspex_program(**kwargs)
            finally:
                exit_bridge(token)
            return dspy_bridge.to_dspy_prediction(result)

        async def aforward(self, **kwargs: Any) -> Any:
            token = enter_bridge(self._mapping())
            try:
                result = await self._dspex_program.acall(**kwargs)
            finally:
                exit_bridge(token)
            return dspy_bridge.to_dspy_prediction(result)

    return DspexProgram


def shadow_class() -> Any:
    """The ``dspy.Module`` subclass used for composite dspex programs (built on first use)."""
    global _shadow_class
    if _shadow_class is None:
        _shadow_class = _make_shadow_class()
    return _shadow_class


def is_shadow(program: Any) -> bool:
    return _shadow_class is not None and isinstance(program, _shadow_class)


def to_dspy_program(program: Module) -> Any:
    """The dspy module standing for ``program`` (converted when its type has a converter)."""
    from dspex.hybrid.registry import implementation

    type_name = native_type_of(program)
    if type_name is not None:
        impl = implementation(type_name, "native")
        converter = impl.converter() if impl is not None else None
        if converter is not None:
            return converter(program)
    return shadow_class()(program)


def predictor_pairs(native: Module, dspy_program: Any) -> list[tuple[str, Any, Any]]:
    """``(native path, native predictor, dspy predictor)`` for every predictor of ``native``,
    matched by path (shadows) or by dspy's own paths (converted modules)."""
    natives = native.named_predictors()
    if is_shadow(dspy_program):
        attrs = dict(dspy_program._dspex_paths)
        return [(path, predictor, getattr(dspy_program, attrs[path])) for path, predictor in natives]
    theirs = dict(dspy_program.named_predictors())
    missing = [path for path, _ in natives if path not in theirs]
    if missing:
        raise ValueError(
            f"the dspy program has no predictors at {missing} (it has {sorted(theirs)}); "
            "cannot copy its state back"
        )
    return [(path, predictor, theirs[path]) for path, predictor in natives]


def native_from_dspy(native: Module, dspy_program: Any) -> Module:
    """A copy of ``native`` with the demos and signatures (instructions, prefixes, descriptions)
    of ``dspy_program``'s predictors. LMs stay those of ``native``."""
    compiled = native.deepcopy()
    for (_, _, theirs), (_, target) in zip(
        predictor_pairs(native, dspy_program), compiled.named_predictors(), strict=True
    ):
        state = theirs.dump_state()
        state["lm"] = None
        target.load_state(dspy_bridge.from_dspy_state({"p": state})["p"])
    compiled._compiled = True
    return compiled
