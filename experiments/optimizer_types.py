"""The optimizers an Experiment can run, by key (a :class:`core.registry.Registry`).

Each type names an engine optimizer class by dotted path (resolved in ``experiments.gateway``, so this
module imports nothing from the engine). ``takes_metric`` says whether the class accepts
``metric=``; ``uses_valset`` whether ``compile`` scores candidates on a validation set. Add one with
:func:`register_optimizer_type` or the ``DSPEX_OPTIMIZER_TYPES`` setting (docs/platform.md, "Named
things and their settings")::

    DSPEX_OPTIMIZER_TYPES = {"my_opt": "myproject.optim.MyOpt"}
    DSPEX_OPTIMIZER_TYPES = {
        "my_opt": {"path": "myproject.optim.MyOpt", "label": "MyOpt", "uses_valset": True},
    }
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import Registry

__all__ = [
    "OptimizerType",
    "get_optimizer_type",
    "optimizer_type_choices",
    "optimizer_type_registry",
    "optimizer_types",
    "register_optimizer_type",
]


@dataclass(frozen=True)
class OptimizerType:
    key: str
    label: str
    path: str
    takes_metric: bool = True
    uses_valset: bool = False
    description: str = ""


optimizer_type_registry: Registry[OptimizerType] = Registry(
    "optimizer", setting="DSPEX_OPTIMIZER_TYPES", entry_type=OptimizerType, identifiers=True
)


def register_optimizer_type(
    key: str, label: str, path: str, *, takes_metric: bool = True, uses_valset: bool = False
) -> OptimizerType:
    """Make ``key`` a valid ``Experiment.optimizer``."""
    return optimizer_type_registry.register(
        key, path, label=label, takes_metric=takes_metric, uses_valset=uses_valset
    )


register_optimizer_type("labeled_few_shot", "LabeledFewShot", "dspex.LabeledFewShot", takes_metric=False)
register_optimizer_type("bootstrap_few_shot", "BootstrapFewShot", "dspex.BootstrapFewShot")
register_optimizer_type(
    "bootstrap_few_shot_with_random_search",
    "BootstrapFewShotWithRandomSearch",
    "dspex.BootstrapFewShotWithRandomSearch",
    uses_valset=True,
)
register_optimizer_type("copro", "COPRO", "dspex.COPRO")
# dspy-only optimizers run through the hybrid bridge (experiments.gateway routes every type whose key
# the hybrid registry knows); their params are dspy's own, checked by dspy when the run starts.
register_optimizer_type("mipro_v2", "MIPROv2 (dspy)", "dspex.hybrid.compile.DspyOptimizer", uses_valset=True)
register_optimizer_type("gepa", "GEPA (dspy)", "dspex.hybrid.compile.DspyOptimizer", uses_valset=True)
register_optimizer_type("simba", "SIMBA (dspy)", "dspex.hybrid.compile.DspyOptimizer")


def optimizer_types() -> dict[str, OptimizerType]:
    """Built-in and registered types plus those of the ``DSPEX_OPTIMIZER_TYPES`` setting."""
    return optimizer_type_registry.entries()


def get_optimizer_type(key: str) -> OptimizerType:
    """The optimizer ``key``; a ``KeyError`` (:class:`core.registry.UnknownName`) naming the known ones."""
    return optimizer_type_registry.get(key)


def optimizer_type_choices() -> list[tuple[str, str]]:
    return optimizer_type_registry.choices()
