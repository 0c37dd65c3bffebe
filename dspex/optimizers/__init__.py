"""Optimizers: ``compile(student, trainset=...)`` returns an improved copy of a program."""

from dspex.optimizers.base import Optimizer, TrialEvent
from dspex.optimizers.bootstrap_few_shot import BootstrapFewShot
from dspex.optimizers.copro import COPRO, InstructionCandidate
from dspex.optimizers.ensemble import Ensemble, EnsembledProgram
from dspex.optimizers.knn import KNN
from dspex.optimizers.knn_few_shot import KNNFewShot
from dspex.optimizers.labeled_few_shot import LabeledFewShot
from dspex.optimizers.random_search import BootstrapFewShotWithRandomSearch, CandidateProgram

__all__ = [
    "COPRO",
    "KNN",
    "BootstrapFewShot",
    "BootstrapFewShotWithRandomSearch",
    "CandidateProgram",
    "Ensemble",
    "EnsembledProgram",
    "InstructionCandidate",
    "KNNFewShot",
    "LabeledFewShot",
    "Optimizer",
    "TrialEvent",
]
