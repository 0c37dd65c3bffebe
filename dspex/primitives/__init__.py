"""Primitives: Example, Prediction, Module, assertions and step tracking."""

from dspex.primitives.assertions import Assert, AssertionFailed, Suggest
from dspex.primitives.example import Example
from dspex.primitives.module import Module, Parameter
from dspex.primitives.prediction import Completions, Prediction
from dspex.primitives.steps import Step, track_steps

__all__ = [
    "Assert",
    "AssertionFailed",
    "Completions",
    "Example",
    "Module",
    "Parameter",
    "Prediction",
    "Step",
    "Suggest",
    "track_steps",
]
