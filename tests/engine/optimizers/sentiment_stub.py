"""A scripted sentiment classifier on the stub server, shared by the optimizer tests."""

from __future__ import annotations

from typing import Literal

import dspex

SENTENCES = {
    "a gem": "positive",
    "a joy": "positive",
    "moving": "positive",
    "superb": "positive",
    "a mess": "negative",
    "dull": "negative",
    "a bore": "negative",
    "awful": "negative",
}


class Sentiment(dspex.Signature):
    """Classify the sentiment of a movie review sentence."""

    sentence: str = dspex.InputField()
    label: Literal["positive", "negative"] = dspex.OutputField()


def examples(names: list[str] | None = None) -> list[dspex.Example]:
    names = list(SENTENCES) if names is None else names
    return [dspex.Example(sentence=s, label=SENTENCES[s]).with_inputs("sentence") for s in names]


def asked(request) -> str:
    """The sentence of the final user message."""
    return request.json["messages"][-1]["content"].split("\n")[1]


def demo_sentences(request) -> list[str]:
    messages = request.json["messages"]
    return [m["content"].split("\n")[1] for m in messages[1:-1] if m["role"] == "user"]


def reply(label: str) -> str:
    return f"[[ ## label ## ]]\n{label}\n\n[[ ## completed ## ]]"


def label_metric(example, pred, trace=None) -> bool:
    return example.label == pred.label
