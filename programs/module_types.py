"""The registry of module types a Program can use.

Each type names an engine module class by dotted path (Django's pluggable-backend style), so this
module imports nothing from the engine; ``programs.codecs`` resolves the path. Add a type with
:func:`register_module_type` or the ``DSPEX_MODULE_TYPES`` setting::

    DSPEX_MODULE_TYPES = {"react": ("ReAct", "dspex.ReAct")}
    DSPEX_MODULE_TYPES = {"vote7": ("Vote of 7", "dspex.MajorityVote", True)}  # a wrapping type

A *wrapping* type (``best_of_n``, ``refine``, ``parallel``) builds an inner module from
``module_config["module"]`` (another type's key, default ``predict``) and
``module_config["module_config"]`` on the same signature, and passes it first:
``cls(inner, **rest_of_config)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

__all__ = ["ModuleType", "get_module_type", "module_type_choices", "module_types", "register_module_type"]


@dataclass(frozen=True)
class ModuleType:
    key: str
    label: str
    path: str  # dotted path of the engine class, built as ``cls(signature, **module_config)``
    wraps: bool = False  # built as ``cls(inner_module, **module_config)`` instead


_REGISTRY: dict[str, ModuleType] = {}


def register_module_type(key: str, label: str, path: str, *, wraps: bool = False) -> ModuleType:
    """Make ``key`` a valid ``Program.module_type`` (no migration needed: choices are dynamic)."""
    if not key.isidentifier():
        raise ValueError(f"module type keys are identifiers, got {key!r}")
    module_type = ModuleType(key, label, path, wraps)
    _REGISTRY[key] = module_type
    return module_type


register_module_type("predict", "Predict", "dspex.Predict")
register_module_type("chain_of_thought", "ChainOfThought", "dspex.ChainOfThought")
# module_config: {"steps": [...], "output_map": {...}}; inputs and outputs are the signature's.
register_module_type("pipeline", "Pipeline", "dspex.pipelines.pipeline_from_signature")
# module_config: {"tools": ["calculator", "search_examples"], "max_iters": 5} (see programs.tools).
register_module_type("react", "ReAct", "dspex.ReAct")
register_module_type("multi_chain_comparison", "MultiChainComparison", "dspex.MultiChainComparison")
# Runs LM-written Python in a sandboxed subprocess: off unless DSPEX_ALLOW_PROGRAM_OF_THOUGHT.
register_module_type("program_of_thought", "ProgramOfThought", "dspex.ProgramOfThought")
# module_config: {"module": "chain_of_thought", "module_config": {...}, "N": 3, "threshold": 1.0,
#                 "reward": "non_empty" | {"name": ..., "params": {...}}} (see programs.rewards).
register_module_type("best_of_n", "BestOfN", "dspex.BestOfN", wraps=True)
register_module_type("refine", "Refine", "dspex.Refine", wraps=True)
# module_config: {"module": ..., "module_config": {...}, "n": 5, "num_threads": 5, "field": null}
register_module_type("parallel", "Parallel (majority vote)", "dspex.MajorityVote", wraps=True)


def module_types() -> dict[str, ModuleType]:
    """The built-in and registered types plus those of the ``DSPEX_MODULE_TYPES`` setting."""
    configured = {
        key: ModuleType(key, *entry) for key, entry in getattr(settings, "DSPEX_MODULE_TYPES", {}).items()
    }
    return {**_REGISTRY, **configured}


def get_module_type(key: str) -> ModuleType:
    types = module_types()
    try:
        return types[key]
    except KeyError:
        raise KeyError(f"unknown module type {key!r} (known: {', '.join(types)})") from None


def module_type_choices() -> list[tuple[str, str]]:
    """Choices of ``Program.module_type`` (a callable, so new types need no migration)."""
    return [(t.key, t.label) for t in module_types().values()]
