"""``dspy.predict``: the modules, mapped onto :mod:`dspex.modules`."""

from dspex.compat._names import unsupported
from dspex.compat.dspy.predict import (
    aggregation,
    best_of_n,
    chain_of_thought,
    knn,
    parallel,
    predict,
    react,
    refine,
)
from dspex.modules import (
    BestOfN,
    ChainOfThought,
    MultiChainComparison,
    Predict,
    ProgramOfThought,
    ReAct,
    Refine,
    majority,
)
from dspex.optimizers import KNN
from dspex.primitives.parallel import Parallel

__getattr__ = unsupported(__name__)

__all__ = [
    "KNN",
    "BestOfN",
    "ChainOfThought",
    "MultiChainComparison",
    "Parallel",
    "Predict",
    "ProgramOfThought",
    "ReAct",
    "Refine",
    "aggregation",
    "best_of_n",
    "chain_of_thought",
    "knn",
    "majority",
    "parallel",
    "predict",
    "react",
    "refine",
]
