"""Optimizer details DSPy code reads: get_params(), KNNFewShot.KNN, BootstrapFewShot's max_errors."""

from __future__ import annotations

from typing import Any

import pytest

import dspex
from dspex.optimizers import Optimizer
from dspex.utils import DummyLM, DummyVectorizer


class Tuner(Optimizer):
    def __init__(self, rate: float, name: str) -> None:
        super().__init__()
        self.rate = rate
        self.name = name
        self._scratch = []

    def compile(self, student: Any, *, trainset: list[Any], **kwargs: Any) -> Any:
        return student


def test_get_params_lists_what_the_optimizer_was_built_with():
    assert Tuner(0.5, "x").get_params() == {"rate": 0.5, "name": "x"}
    assert dspex.LabeledFewShot(k=3).get_params()["k"] == 3


def test_knn_few_shot_exposes_its_index_as_knn():
    trainset = [dspex.Example(q=str(i), a="x").with_inputs("q") for i in range(3)]
    optimizer = dspex.KNNFewShot(k=2, trainset=trainset, vectorizer=dspex.Embedder(DummyVectorizer()))

    assert optimizer.KNN is optimizer.knn
    assert (optimizer.KNN.k, len(optimizer.KNN.trainset)) == (2, 3)


class Failing(dspex.Module):
    def __init__(self) -> None:
        self.predict = dspex.Predict("q -> a")
        self.calls = 0

    def forward(self, **kwargs: Any) -> Any:
        self.calls += 1
        raise RuntimeError(f"teacher failure {self.calls}")


class Student(dspex.Module):
    def __init__(self) -> None:
        self.predict = dspex.Predict("q -> a")

    def forward(self, **kwargs: Any) -> Any:
        return self.predict(**kwargs)


TRAINSET = [dspex.Example(q=str(i), a="x").with_inputs("q") for i in range(4)]


def test_the_error_that_reaches_max_errors_stops_bootstrapping():
    teacher = Failing()
    optimizer = dspex.BootstrapFewShot(metric=lambda *a: True, max_errors=2, max_labeled_demos=0)

    with dspex.context(lm=DummyLM([{"a": "x"}])), pytest.raises(RuntimeError, match="teacher failure 2"):
        optimizer.compile(Student(), teacher=teacher, trainset=TRAINSET)


def test_without_max_errors_the_setting_decides():
    optimizer = dspex.BootstrapFewShot(metric=lambda *a: True, max_labeled_demos=0)

    with dspex.context(lm=DummyLM([{"a": "x"}]), max_errors=10):
        compiled = optimizer.compile(Student(), teacher=Failing(), trainset=TRAINSET)
    with dspex.context(max_errors=1), pytest.raises(RuntimeError, match="teacher failure 1"):
        optimizer.compile(Student(), teacher=Failing(), trainset=TRAINSET)

    assert compiled.predict.demos == []
