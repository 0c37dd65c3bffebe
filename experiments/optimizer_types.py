"""The optimizers an Experiment can run, by key.

Each type names an engine optimizer class by dotted path (resolved in ``experiments.codecs``, so this
module imports nothing from the engine). ``takes_metric`` says whether the class accepts
``metric=``; ``uses_valset`` whether ``compile`` scores candidates on a validation set. Add one with
:func:`register_optimizer_type` or the ``DSPEX_OPTIMIZER_TYPES`` setting::

    DSPEX_OPTIMIZER_TYPES = {"my_opt": {"label": "MyOpt", "path": "myproject.optim.MyOpt"}}
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

__all__ = [
    "OptimizerType",
    "get_optimizer_type",
    "optimizer_type_choices",
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


_REGISTRY: dict[str, OptimizerType] = {}


def register_optimizer_type(
    key: str, label: str, path: str, *, takes_metric: bool = True, uses_valset: bool = False
) -> OptimizerType:
    """Make ``key`` a valid ``Experiment.optimizer``."""
    if not key.isidentifier():
        raise ValueError(f"optimizer type keys are identifiers, got {key!r}")
    entry = OptimizerType(key, label, path, takes_metric, uses_valset)
    _REGISTRY[key] = entry
    return entry


register_optimizer_type("labeled_few_shot", "LabeledFewShot", "dspex.LabeledFewShot", takes_metric=False)
register_optimizer_type("bootstrap_few_shot", "BootstrapFewShot", "dspex.BootstrapFewShot")
register_optimizer_type(
    "bootstrap_few_shot_with_random_search",
    "BootstrapFewShotWithRandomSearch",
    "dspex.BootstrapFewShotWithRandomSearch",
    uses_valset=True,
)
register_optimizer_type("copro", "COPRO", "dspex.COPRO")
# dspy-only optimizers run through the hybrid bridge (experiments.codecs routes every type whose key
# the hybrid registry knows); their params are dspy's own, checked by dspy when the run starts.
register_optimizer_type("mipro_v2", "MIPROv2 (dspy)", "dspex.hybrid.compile.DspyOptimizer", uses_valset=True)
register_optimizer_type("gepa", "GEPA (dspy)", "dspex.hybrid.compile.DspyOptimizer", uses_valset=True)
register_optimizer_type("simba", "SIMBA (dspy)", "dspex.hybrid.compile.DspyOptimizer")


def optimizer_types() -> dict[str, OptimizerType]:
    """Built-in and registered types plus those of the ``DSPEX_OPTIMIZER_TYPES`` setting."""
    configured = {
        key: OptimizerType(
            key,
            spec.get("label", key),
            spec["path"],
            spec.get("takes_metric", True),
            spec.get("uses_valset", False),
        )
        for key, spec in getattr(settings, "DSPEX_OPTIMIZER_TYPES", {}).items()
    }
    return {**_REGISTRY, **configured}


def get_optimizer_type(key: str) -> OptimizerType:
    types = optimizer_types()
    try:
        return types[key]
    except KeyError:
        raise KeyError(f"unknown optimizer {key!r} (known: {', '.join(sorted(types))})") from None


def optimizer_type_choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in optimizer_types().values()]
