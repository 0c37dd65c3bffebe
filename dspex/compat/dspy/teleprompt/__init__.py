"""``dspy.teleprompt``: the optimizers, mapped onto :mod:`dspex.optimizers`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.teleprompt import (
    bootstrap,
    ensemble,
    knn_fewshot,
    random_search,
    signature_opt,
    teleprompt,
    vanilla,
)
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
    "bootstrap",
    "ensemble",
    "knn_fewshot",
    "random_search",
    "signature_opt",
    "teleprompt",
    "vanilla",
]
