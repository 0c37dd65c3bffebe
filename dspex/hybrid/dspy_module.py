"""Modules that run on dspy behind the dspex API, and the ``module(...)`` factory.

``dspex.hybrid.module("react", "question -> answer", tools=[search])`` builds the type on the
backend the router picks: the native class where there is one (and the preference allows it),
otherwise a :class:`DspyModule` wrapping the dspy class. Either way it is called like any dspex
module and returns a dspex ``Prediction``.
"""

from __future__ import annotations

from typing import Any

from dspex.hybrid.registry import implementation
from dspex.hybrid.router import choose_backend, preference_for
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.settings import settings

__all__ = ["DspyModule", "module", "to_dspy_value"]


def to_dspy_value(value: Any) -> Any:
    """Convert constructor arguments for a dspy class: dspex signatures, LMs, examples and modules
    become their dspy equivalents; lists, tuples and dicts are converted item by item."""
    from dspex.hybrid import dspy_bridge
    from dspex.lm import LM
    from dspex.primitives.example import Example
    from dspex.signatures.signature import Signature

    if isinstance(value, type) and issubclass(value, Signature):
        return dspy_bridge.to_dspy_signature(value)
    if isinstance(value, LM):
        return dspy_bridge.to_dspy_lm(value)
    if isinstance(value, Example):
        return dspy_bridge.to_dspy_example(value)
    if isinstance(value, DspyModule):
        return value.dspy_module
    if isinstance(value, Module):
        from dspex.hybrid.shadow import to_dspy_program

        return to_dspy_program(value)
    if isinstance(value, list | tuple):
        return type(value)(to_dspy_value(v) for v in value)
    if isinstance(value, dict):
        return {k: to_dspy_value(v) for k, v in value.items()}
    return value


class DspyModule(Module):
    """A dspy module (an instance of the dspy class registered for ``type_name``) with the dspex
    calling convention: keyword inputs plus ``lm=``; returns a dspex ``Prediction``.

    Calls run inside ``dspy.context(lm=..., adapter=...)`` built from the dspex settings, and are
    recorded by the router as ``dspy`` attempts. State is dspy's own (the same JSON layout).
    """

    def __init__(self, type_name: str, *args: Any, **kwargs: Any) -> None:
        impl = implementation(type_name, "dspy")
        if impl is None:
            from dspex.hybrid.errors import BackendUnavailable
            from dspex.hybrid.registry import available_backends

            raise BackendUnavailable(type_name, "dspy", available_backends(type_name), kind="module")
        self._hybrid_dspy_type = type_name
        self.lm: Any = None
        from dspex.hybrid.dspy_bridge import load_dspy

        load_dspy()
        self.dspy_module = impl.load()(*to_dspy_value(list(args)), **to_dspy_value(kwargs))

    @classmethod
    def wrap(cls, type_name: str, dspy_module: Any) -> DspyModule:
        """Wrap an existing dspy module (e.g. what a dspy optimizer returned)."""
        wrapper = cls.__new__(cls)
        wrapper._hybrid_dspy_type = type_name
        wrapper.lm = None
        wrapper.dspy_module = dspy_module
        return wrapper

    def _lm(self, kwargs: dict[str, Any]) -> Any:
        return kwargs.pop("lm", None) or self.lm or settings.get("lm")

    def forward(self, **kwargs: Any) -> Prediction:
        """Run the dspy module on ``kwargs``."""
        from dspex.hybrid.dspy_bridge import bridge_context, from_dspy_prediction

        lm = self._lm(kwargs)
        with bridge_context(lm):
            return from_dspy_prediction(self.dspy_module(**kwargs))

    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward` (dspy's ``acall``)."""
        from dspex.hybrid.dspy_bridge import bridge_context, from_dspy_prediction

        lm = self._lm(kwargs)
        with bridge_context(lm):
            return from_dspy_prediction(await self.dspy_module.acall(**kwargs))

    def named_predictors(self) -> list[tuple[str, Any]]:
        """dspy's predictors (dspy objects), by dspy's paths."""
        return list(self.dspy_module.named_predictors())

    def dump_state(self) -> dict[str, Any]:
        """dspy's state of the wrapped module (DSPy's JSON layout)."""
        state: dict[str, Any] = self.dspy_module.dump_state()
        return state

    def load_state(self, state: dict[str, Any], *, allow_unsafe_lm_state: bool = False) -> DspyModule:
        """Load a DSPy-layout state into the wrapped module."""
        from dspex.hybrid.dspy_bridge import to_dspy_state

        state = {k: v for k, v in to_dspy_state(state).items() if k != "metadata"}
        self.dspy_module.load_state(state, allow_unsafe_lm_state=allow_unsafe_lm_state)
        return self

    def reset_copy(self) -> DspyModule:
        return DspyModule.wrap(self._hybrid_dspy_type, self.dspy_module.reset_copy())

    def deepcopy(self) -> DspyModule:
        return DspyModule.wrap(self._hybrid_dspy_type, self.dspy_module.deepcopy())

    def __repr__(self) -> str:
        return f"DspyModule({self._hybrid_dspy_type!r}, {self.dspy_module!r})"


def module(type_name: str, *args: Any, backend: str | None = None, **kwargs: Any) -> Module:
    """Build ``type_name`` on the backend the router picks (``backend=`` forces one).

    ``module("chain_of_thought", "question -> answer")`` is a native ``ChainOfThought`` under
    ``auto``; ``module("react", sig, tools=[...])`` is a :class:`DspyModule` until a native ReAct is
    registered. :class:`BackendUnavailable` when the chosen backend cannot build the type.
    """
    preference = preference_for(type_name, explicit=backend)
    chosen = choose_backend(type_name, preference)
    if chosen == "native":
        native = implementation(type_name, "native")
        assert native is not None
        built: Module = native.load()(*args, **kwargs)
        return built
    return DspyModule(type_name, *args, **kwargs)
