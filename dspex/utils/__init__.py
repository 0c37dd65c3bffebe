"""Test doubles for programs: :class:`DummyLM` (scripted answers) and :class:`DummyVectorizer`."""

from dspex.utils.dummies import DummyLM, DummyVectorizer

__all__ = ["DummyLM", "DummyVectorizer"]
