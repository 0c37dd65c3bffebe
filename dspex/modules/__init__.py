"""Modules: Predict, ChainOfThought (more reasoning modules arrive later)."""

from dspex.modules.chain_of_thought import ChainOfThought
from dspex.modules.predict import NoLMConfiguredError, Predict

__all__ = ["ChainOfThought", "NoLMConfiguredError", "Predict"]
