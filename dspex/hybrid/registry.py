"""Which module and optimizer types exist natively, through dspy, or both.

Implementations are registered as ``"package.module:Name"`` paths and imported only when used, so
registering (and ``import dspex``) never imports dspy. Adding a native implementation is one line::

    register_native("react", "dspex.modules.react:ReAct")
    register_native("copro", "dspex.optimizers.copro:COPRO", kind="optimizer")
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BACKENDS",
    "KINDS",
    "Capability",
    "Implementation",
    "Unit",
    "available_backends",
    "capabilities",
    "capability_of",
    "dspy_installed",
    "implementation",
    "native_type_of",
    "native_unit_of",
    "register_dspy",
    "register_native",
    "unit_named",
]

BACKENDS = ("native", "dspy")
KINDS = ("module", "optimizer")


@dataclass(frozen=True, slots=True, eq=False)
class Capability:
    """What the registry says about one type: the backends registered for it, those that can run
    here (dspy only when installed), and whether a native instance converts to dspy.

    Compared and hashed by identity: :func:`capability_of` makes a new one whenever the registry
    changes, so the router can key cached decisions on it."""

    registered: tuple[str, ...]
    available: tuple[str, ...]
    convertible: bool = True


@dataclass
class Implementation:
    """One way to run a type: ``target`` is ``"pkg.module:Name"`` (or the object itself).

    ``to_dspy`` (native modules only) turns a native instance into the equivalent dspy module,
    which is what lets the router run that instance on dspy. ``dspy_call`` (optional, native
    modules only) plans one call of a native instance on dspy without converting the instance:
    ``dspy_call(instance, kwargs) -> DspyCall`` (see :mod:`dspex.hybrid.dspy_bridge`).
    """

    target: str | Any
    to_dspy: Callable[[Any], Any] | str | None = None
    dspy_call: Callable[[Any, dict[str, Any]], Any] | str | None = None
    _loaded: Any = field(default=None, repr=False)

    def load(self) -> Any:
        """The class (or factory) named by ``target``, imported on first use."""
        if self._loaded is None:
            self._loaded = resolve(self.target)
        return self._loaded

    def converter(self) -> Callable[[Any], Any] | None:
        """The native → dspy converter, imported on first use."""
        if isinstance(self.to_dspy, str):
            loaded: Callable[[Any], Any] = resolve(self.to_dspy)
            self.to_dspy = loaded
            return loaded
        return self.to_dspy

    def call_planner(self) -> Callable[[Any, dict[str, Any]], Any] | None:
        """The planner of one call on dspy (``dspy_call``), imported on first use."""
        if isinstance(self.dspy_call, str):
            loaded: Callable[[Any, dict[str, Any]], Any] = resolve(self.dspy_call)
            self.dspy_call = loaded
            return loaded
        return self.dspy_call


def resolve(target: str | Any) -> Any:
    """Import ``"pkg.module:Name"`` (or ``"pkg.module:Outer.Name"``); other objects pass through."""
    if not isinstance(target, str):
        return target
    module_name, _, qualname = target.partition(":")
    if not module_name or not qualname:
        raise ValueError(f"an implementation path looks like 'package.module:Name', got {target!r}")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


_lock = threading.Lock()
_registry: dict[str, dict[str, dict[str, Implementation]]] = {kind: {} for kind in KINDS}
_available: dict[tuple[str, str, bool], tuple[str, ...]] = {}  # cleared on every registration
_capabilities: dict[tuple[str, str, bool], Capability] = {}  # likewise
_units: dict[type, Unit | None] = {}  # likewise, and when dspy_installed changes
_named_units: dict[str, Unit] = {}  # likewise
_units_installed: bool | None = None
_native_classes: dict[type, str] | None = None
_dspy_installed: bool | None = None


def _check(kind: str, type_name: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not type_name or not type_name.replace("_", "").isalnum() or type_name != type_name.lower():
        raise ValueError(f"type names are snake_case identifiers like 'chain_of_thought', got {type_name!r}")


def _register(kind: str, type_name: str, backend: str, impl: Implementation) -> None:
    global _native_classes
    _check(kind, type_name)
    with _lock:
        _registry[kind].setdefault(type_name, {})[backend] = impl
        _available.clear()
        _capabilities.clear()
        _units.clear()
        _named_units.clear()
        if backend == "native":
            _native_classes = None


def register_native(
    type_name: str,
    target: str | Any,
    *,
    kind: str = "module",
    to_dspy: Callable[[Any], Any] | str | None = None,
    dspy_call: Callable[[Any, dict[str, Any]], Any] | str | None = None,
) -> None:
    """Register the native implementation of ``type_name`` (a class or ``"pkg.module:Name"``).

    For modules, ``to_dspy(instance) -> dspy module`` lets the router run a native instance on
    dspy; without it such instances only run natively. ``dspy_call`` plans such a call without
    converting the instance each time (predictors use it: see ``dspy_bridge.predict_call``).
    """
    _register(kind, type_name, "native", Implementation(target, to_dspy, dspy_call))


def register_dspy(type_name: str, target: str | Any, *, kind: str = "module") -> None:
    """Register the dspy implementation of ``type_name`` (e.g. ``"dspy:ReAct"``)."""
    _register(kind, type_name, "dspy", Implementation(target))


def unregister(type_name: str, backend: str, *, kind: str = "module") -> None:
    """Remove one implementation (mostly for tests)."""
    global _native_classes
    with _lock:
        entry = _registry[kind].get(type_name, {})
        entry.pop(backend, None)
        if not entry:
            _registry[kind].pop(type_name, None)
        _available.clear()
        _capabilities.clear()
        _units.clear()
        _named_units.clear()
        _native_classes = None


def implementation(type_name: str, backend: str, *, kind: str = "module") -> Implementation | None:
    """The registered implementation, or ``None``."""
    return _registry[kind].get(type_name, {}).get(backend)


def dspy_installed() -> bool:
    """Whether the ``dspy`` package can be imported (checked once, without importing it)."""
    global _dspy_installed
    if _dspy_installed is None:
        _dspy_installed = importlib.util.find_spec("dspy") is not None
    return _dspy_installed


def available_backends(type_name: str, *, kind: str = "module") -> tuple[str, ...]:
    """The backends that can run ``type_name`` here (dspy only when it is installed)."""
    installed = dspy_installed()
    key = (kind, type_name, installed)
    found = _available.get(key)
    if found is None:
        entry = _registry[kind].get(type_name, {})
        found = tuple(b for b in BACKENDS if b in entry and (b != "dspy" or installed))
        _available[key] = found
    return found


def capability_of(type_name: str, *, kind: str = "module") -> Capability:
    """What the router needs to know about ``type_name``: registered and available backends, and
    whether its native instances convert to dspy (cached until the next registration)."""
    installed = dspy_installed()
    key = (kind, type_name, installed)
    found = _capabilities.get(key)
    if found is None:
        entry = _registry[kind].get(type_name, {})
        native = entry.get("native")
        found = Capability(
            registered=tuple(b for b in BACKENDS if b in entry),
            available=available_backends(type_name, kind=kind),
            convertible=native is not None and native.to_dspy is not None,
        )
        _capabilities[key] = found
    return found


def known_types(kind: str = "module") -> list[str]:
    """Every registered type name of ``kind``."""
    return sorted(_registry[kind])


def _native_table() -> dict[type, str]:
    """Registered native module class -> type name (rebuilt after a registration)."""
    global _native_classes
    classes = _native_classes
    if classes is None:
        classes = {}
        with _lock:
            entries = [(name, e["native"]) for name, e in _registry["module"].items() if "native" in e]
        for name, impl in entries:
            try:
                classes[impl.load()] = name
            except (ImportError, AttributeError):  # a native module that is not importable yet
                continue
        _native_classes = classes
    return classes


def native_type_of(module: Any) -> str | None:
    """The registered type name of a native module instance (exact class match), else ``None``."""
    return _native_table().get(type(module))


class Unit:
    """A routed module type as the router sees it: its name, its capability, and ``plans``, a
    cache the router keeps its decisions for the type in, and ``fast``, the router's shortcut for
    the commonest call (see :mod:`dspex.hybrid.router`). A registration (or dspy appearing or
    disappearing) makes new units, so nothing decided before it is reused."""

    __slots__ = ("capability", "fast", "plans", "type_name")

    def __init__(self, type_name: str, capability: Capability) -> None:
        self.type_name = type_name
        self.capability = capability
        self.plans: dict[Any, Any] = {}
        self.fast: tuple[Any, Any] | None = None


def _fresh_units() -> None:
    global _units_installed
    installed = dspy_installed()
    if installed is not _units_installed:
        _units.clear()
        _named_units.clear()
        _units_installed = installed


def native_unit_of(cls: type) -> Unit | None:
    """The unit of ``cls`` when it is a registered native module class, else ``None`` (cached
    per class: the router asks on every call)."""
    if _dspy_installed is None or _dspy_installed is not _units_installed:
        _fresh_units()
    try:
        return _units[cls]
    except KeyError:
        pass
    name = _native_table().get(cls)
    found = Unit(name, capability_of(name)) if name is not None else None
    _units[cls] = found
    return found


def unit_named(type_name: str) -> Unit:
    """The unit of ``type_name`` for instances built on dspy (``DspyModule``), cached per name."""
    _fresh_units()
    found = _named_units.get(type_name)
    if found is None:
        found = _named_units[type_name] = Unit(type_name, capability_of(type_name))
    return found


def capabilities() -> dict[str, Any]:
    """``{"modules": {type: {"native": bool, "dspy": bool, "backends": [...]}}, "optimizers": ...,
    "dspy_installed": bool}`` as plain JSON data."""
    result: dict[str, Any] = {"dspy_installed": dspy_installed()}
    for kind, key in (("module", "modules"), ("optimizer", "optimizers")):
        table = {}
        for name in known_types(kind):
            entry = _registry[kind][name]
            table[name] = {
                "native": "native" in entry,
                "dspy": "dspy" in entry,
                "backends": list(available_backends(name, kind=kind)),
            }
        result[key] = table
    return result


# -- the built-in table ------------------------------------------------------------------------
# A native module or optimizer is one line: register_native(name, "module.path:Class").
register_native(
    "predict",
    "dspex.modules.predict:Predict",
    to_dspy="dspex.hybrid.dspy_bridge:predict_to_dspy",
    dspy_call="dspex.hybrid.dspy_bridge:predict_call",
)
register_native(
    "chain_of_thought",
    "dspex.modules.chain_of_thought:ChainOfThought",
    to_dspy="dspex.hybrid.dspy_bridge:chain_of_thought_to_dspy",
    dspy_call="dspex.hybrid.dspy_bridge:chain_of_thought_call",
)
register_native("react", "dspex.modules.react:ReAct")
register_native("best_of_n", "dspex.modules.best_of_n:BestOfN")
register_native("refine", "dspex.modules.refine:Refine")
register_native("multi_chain_comparison", "dspex.modules.multi_chain_comparison:MultiChainComparison")
register_native("program_of_thought", "dspex.modules.program_of_thought:ProgramOfThought")
register_native("pipeline", "dspex.pipelines.pipeline:Pipeline")
for _name, _target in (
    ("predict", "dspy:Predict"),
    ("chain_of_thought", "dspy:ChainOfThought"),
    ("react", "dspy:ReAct"),
    ("best_of_n", "dspy:BestOfN"),
    ("refine", "dspy:Refine"),
    ("multi_chain_comparison", "dspy:MultiChainComparison"),
    # No dspy ProgramOfThought: LM-written code runs only in dspex's own sandbox (seccomp + import
    # allow-list, docs/security-sandbox.md), never in another interpreter.
):
    register_dspy(_name, _target)

register_native("labeled_few_shot", "dspex.optimizers.labeled_few_shot:LabeledFewShot", kind="optimizer")
register_native(
    "bootstrap_few_shot", "dspex.optimizers.bootstrap_few_shot:BootstrapFewShot", kind="optimizer"
)
register_native(
    "bootstrap_few_shot_with_random_search",
    "dspex.optimizers.random_search:BootstrapFewShotWithRandomSearch",
    kind="optimizer",
)
register_native("knn_few_shot", "dspex.optimizers.knn_few_shot:KNNFewShot", kind="optimizer")
register_native("copro", "dspex.optimizers.copro:COPRO", kind="optimizer")
register_native("ensemble", "dspex.optimizers.ensemble:Ensemble", kind="optimizer")
for _name, _target in (
    ("labeled_few_shot", "dspy:LabeledFewShot"),
    ("bootstrap_few_shot", "dspy:BootstrapFewShot"),
    ("bootstrap_few_shot_with_random_search", "dspy:BootstrapFewShotWithRandomSearch"),
    ("knn_few_shot", "dspy:KNNFewShot"),
    ("copro", "dspy:COPRO"),
    ("ensemble", "dspy:Ensemble"),
    ("mipro_v2", "dspy:MIPROv2"),
    ("gepa", "dspy:GEPA"),
    ("simba", "dspy:SIMBA"),
):
    register_dspy(_name, _target, kind="optimizer")
