"""The same small program written with dspy and with dspex (used by the Module tests)."""

from __future__ import annotations

from typing import Any


def build(mod: Any) -> Any:
    """A program with nested modules, a list and a dict of predictors, and a shared predictor."""

    class Inner(mod.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cot = mod.ChainOfThought("question -> answer")
            self.check = mod.Predict("answer -> score: float")

    class Program(mod.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = mod.Predict("question -> answer")
            self.inner = Inner()
            self.chain = [mod.Predict("a -> b"), mod.ChainOfThought("b -> c")]
            self.by_name = {"x": mod.Predict("a -> b"), "y": mod.Predict("c -> d")}
            self.alias = self.first  # the same predictor twice: listed once

        def forward(self, **kwargs: Any) -> Any:
            return self.first(**kwargs)

    return Program()


EXPECTED_NAMES = [
    "first",
    "inner.cot.predict",
    "inner.check",
    "chain[0]",
    "chain[1].predict",
    "by_name['x']",
    "by_name['y']",
]


def build_qa(mod: Any, instructions: str | None = None) -> Any:
    """A two-step QA program; ``instructions`` customise the first predictor (dspy style)."""

    class QA(mod.Module):
        def __init__(self) -> None:
            super().__init__()
            sig = mod.Signature("question, context: list[str] -> answer: int")
            if instructions is not None:
                sig = sig.with_instructions(instructions)
            self.generate = mod.Predict(sig)
            self.verify = mod.ChainOfThought("question, answer: int -> correct: bool")

        def forward(self, **kwargs: Any) -> Any:
            return self.generate(**kwargs)

    return QA()
