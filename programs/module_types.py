"""The registry of module types a Program can use (a :class:`core.registry.Registry`).

Each type names an engine module class by dotted path (Django's pluggable-backend style), so this
module imports nothing from the engine; ``programs.gateway`` resolves the path. Add a type with
:func:`register_module_type` or the ``DSPEX_MODULE_TYPES`` setting (docs/platform.md, "Named things
and their settings")::

    DSPEX_MODULE_TYPES = {"react2": "dspex.ReAct"}                                # label: the key
    DSPEX_MODULE_TYPES = {"vote7": {"path": "dspex.MajorityVote", "label": "Vote of 7", "wraps": True}}
    DSPEX_MODULE_TYPES = {"vote7": ("Vote of 7", "dspex.MajorityVote", True)}     # older form, accepted

A *wrapping* type (``best_of_n``, ``refine``, ``parallel``) builds an inner module from
``module_config["module"]`` (another type's key, default ``predict``) and
``module_config["module_config"]`` on the same signature, and passes it first:
``cls(inner, **rest_of_config)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import Registry

__all__ = [
    "ModuleType",
    "get_module_type",
    "module_type_choices",
    "module_type_registry",
    "module_types",
    "register_module_type",
]


@dataclass(frozen=True)
class ModuleType:
    key: str
    label: str
    path: str  # dotted path of the engine class, built as ``cls(signature, **module_config)``
    wraps: bool = False  # built as ``cls(inner_module, **module_config)`` instead
    description: str = ""


module_type_registry: Registry[ModuleType] = Registry(
    "module type",
    setting="DSPEX_MODULE_TYPES",
    entry_type=ModuleType,
    identifiers=True,
    positional=("label", "path", "wraps"),
)


def register_module_type(key: str, label: str, path: str, *, wraps: bool = False) -> ModuleType:
    """Make ``key`` a valid ``Program.module_type`` (no migration needed: choices are dynamic)."""
    return module_type_registry.register(key, path, label=label, wraps=wraps)


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
    return module_type_registry.entries()


def get_module_type(key: str) -> ModuleType:
    """The type ``key``; a ``KeyError`` (:class:`core.registry.UnknownName`) naming the known ones."""
    return module_type_registry.get(key)


def module_type_choices() -> list[tuple[str, str]]:
    """Choices of ``Program.module_type`` (a callable, so new types need no migration)."""
    return module_type_registry.choices()
