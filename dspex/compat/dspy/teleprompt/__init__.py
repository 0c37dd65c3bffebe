"""``dspy.teleprompt``: the optimizers, mapped onto :mod:`dspex.optimizers`."""

from dspex.compat._names import unsupported
from dspex.optimizers import (
    COPRO,
    BootstrapFewShot,
    BootstrapFewShotWithRandomSearch,
    Ensemble,
    KNNFewShot,
    LabeledFewShot,
    Optimizer,
)

Teleprompter = Optimizer

__getattr__ = unsupported(__name__)

__all__ = [
    "COPRO",
    "BootstrapFewShot",
    "BootstrapFewShotWithRandomSearch",
    "Ensemble",
    "KNNFewShot",
    "LabeledFewShot",
    "Teleprompter",
]
