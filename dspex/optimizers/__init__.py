"""Optimizers: ``compile(student, trainset=...)`` returns an improved copy of a program."""

from dspex.optimizers.base import Optimizer, TrialEvent
from dspex.optimizers.bootstrap_few_shot import BootstrapFewShot
from dspex.optimizers.labeled_few_shot import LabeledFewShot

__all__ = ["BootstrapFewShot", "LabeledFewShot", "Optimizer", "TrialEvent"]
