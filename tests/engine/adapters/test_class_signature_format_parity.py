"""Class-syntax signatures (descriptions, constraints, multi-line instructions, models) format
exactly as dspy formats the same class."""

from __future__ import annotations

from typing import Any, Literal, Optional

import pytest

import dspex
from tests.engine.adapters.parity_cases import Level, Person, Point

pytestmark = pytest.mark.dspy


def define(mod: Any) -> dict[str, Any]:
    """The same classes, written against ``dspy`` or ``dspex``."""

    class Summarize(mod.Signature):
        """Summarise the text.

            Be brief:
              - one line
        Thanks.
        """

        text: str = mod.InputField(desc="the text\nwith two lines")
        k: int = mod.InputField(desc="how many", ge=1, le=10)
        ratio: float = mod.InputField(gt=0, lt=1, multiple_of=0.1)
        summary: str = mod.OutputField(desc="short", min_length=3, max_length=100)
        level: Level = mod.OutputField()
        person: Person = mod.OutputField(desc="who")
        maybe: Optional[Literal["x", "y"]] = mod.OutputField()  # noqa: UP045
        flag: Literal[True, False] = mod.OutputField()
        anything: Any = mod.OutputField()

    class Extract(mod.Signature):
        """Extract points."""

        document: str = mod.InputField()
        points: list[Point] = mod.OutputField(desc="every point, in order")
        count: int = mod.OutputField(ge=0)

    class Indented(mod.Signature):
        """
        First line after a blank line.
            Indented line.
        Last line.
        """

        question = mod.InputField()
        answer = mod.OutputField()

    return {"summarize": Summarize, "extract": Extract, "indented": Indented}


INPUTS = {
    "summarize": {"text": "Hello\n  world", "k": 3, "ratio": 0.5},
    "extract": {"document": "(1, 2) and (3, 4)"},
    "indented": {"question": "Why?"},
}
DEMOS = {
    "summarize": [
        {
            "text": "t",
            "k": 1,
            "ratio": 0.2,
            "summary": "sss",
            "level": Level.LOW,
            "person": Person(name="Bo"),
            "maybe": None,
            "flag": True,
            "anything": [1],
        },
        {"text": "t2", "summary": "partial"},
        {"text": "t3", "k": 2},
    ],
    "extract": [{"document": "d", "points": [Point(x=1), Point(x=2, y=0.5)], "count": 2}],
    "indented": [{"question": "q", "answer": "a"}],
}


@pytest.fixture(scope="module")
def pairs():
    import dspy

    return define(dspy), define(dspex)


@pytest.mark.parametrize("name", ["summarize", "extract", "indented"])
@pytest.mark.parametrize("with_demos", [False, True], ids=["no-demos", "demos"])
@pytest.mark.parametrize("adapter", ["ChatAdapter", "JSONAdapter"])
def test_class_signatures_format_like_dspy(pairs, name, with_demos, adapter):
    import dspy

    theirs_sig, ours_sig = pairs[0][name], pairs[1][name]
    demos = DEMOS[name] if with_demos else []

    theirs = getattr(dspy, adapter)().format(theirs_sig, [dspy.Example(**d) for d in demos], INPUTS[name])
    ours = getattr(dspex, adapter)().format(ours_sig, demos, INPUTS[name])

    assert ours == theirs


def test_constraints_and_descriptions_appear_in_the_system_message(pairs):
    system = dspex.ChatAdapter().format(pairs[1]["summarize"], [], INPUTS["summarize"])[0]["content"]

    assert (
        "2. `k` (int): how many\nConstraints: greater than or equal to: 1, less than or equal to: 10"
        in system
    )
    assert "1. `summary` (str): short\nConstraints: minimum length: 3, maximum length: 100" in system
    assert system.endswith(
        "your objective is: \n        Summarise the text.\n        \n            Be brief:\n"
        "              - one line\n        Thanks."
    )
