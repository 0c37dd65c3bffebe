"""Test doubles for programs (:class:`DummyLM` with scripted answers, :class:`DummyVectorizer`)
and :func:`serialize_object`."""

from dspex.utils.dummies import DummyLM, DummyVectorizer
from dspex.utils.serialize import serialize_object

__all__ = ["DummyLM", "DummyVectorizer", "serialize_object"]
