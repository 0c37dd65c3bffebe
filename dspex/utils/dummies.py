"""Test doubles: an LM that answers from a script, and a deterministic text vectorizer.

:class:`DummyLM` writes each scripted answer the way the adapter in use expects it (chat
sections for the ChatAdapter, a JSON object for the JSONAdapter), so a program runs end to end
without a server. :class:`DummyVectorizer` turns texts into hashed character n-gram vectors, an
embedder for KNN and retrieval tests.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from typing import Any

from dspex.adapters import Adapter, ChatAdapter, JSONAdapter, XMLAdapter
from dspex.adapters.formatting import format_value
from dspex.adapters.sections import FIELD_HEADER, section
from dspex.lm.base import BaseLM
from dspex.signatures import OutputField
from dspex.signatures.types import jsonable

__all__ = ["DummyLM", "DummyVectorizer"]

NO_MORE = "No more responses"


class DummyLM(BaseLM):
    """An LM whose answers are scripted, for tests.

    * ``answers`` as a list of dicts: each call answers with the next dict (``{"answer": "No
      more responses"}`` once the list is used up).
    * ``answers`` as a dict of dicts: a call answers with the value of the first key that occurs
      in the last message of the prompt (the text ``No more responses`` if none does).
    * ``follow_examples=True``: a call answers with the demo answer whose input the request
      repeats (the demos are in the prompt), for programs that should copy their examples.

    Each answer is written for ``adapter`` (default: a :class:`ChatAdapter`): ``{"answer": "red"}``
    becomes a ``[[ ## answer ## ]]`` section, a JSON object for a :class:`JSONAdapter`, or an
    ``<answer>`` element for an :class:`XMLAdapter`. Every
    call is recorded in ``history``; nothing is cached (a repeated prompt takes the next answer).

    Example::

        lm = DummyLM([{"answer": "red"}, {"answer": "blue"}])
        dspex.configure(lm=lm)
        Predict("question -> answer")(question="Sky?").answer   # "red", then "blue"
    """

    provider = "dummy"

    def __init__(
        self,
        answers: list[dict[str, Any]] | dict[str, dict[str, Any]],
        follow_examples: bool = False,
        reasoning: bool = False,
        adapter: Adapter | None = None,
    ) -> None:
        super().__init__("dummy", "chat", 0.0, 1000, True)
        self.answers: Iterator[dict[str, Any]] | dict[str, dict[str, Any]] = (
            iter(answers) if isinstance(answers, list) else answers
        )
        self.follow_examples = follow_examples
        self.reasoning = reasoning
        self.adapter: Adapter = adapter if adapter is not None else ChatAdapter()

    def forward(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """An OpenAI-shaped completion with ``n`` (default 1) scripted answers."""
        if messages is None:
            messages = [{"role": "user", "content": prompt or ""}]
        count = int(kwargs.get("n") or 1)
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": self._answer(messages)},
                "finish_reason": "stop",
            }
            for i in range(count)
        ]
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        return {"model": "dummy", "choices": choices, "usage": usage}

    def get_convo(self, index: int) -> tuple[list[dict[str, Any]], list[str]]:
        """The messages and outputs of the ``index``-th recorded call."""
        entry = self.history[index]
        return entry["messages"], entry["outputs"]

    # -- the script -------------------------------------------------------------------------

    def _answer(self, messages: list[dict[str, Any]]) -> str:
        if self.follow_examples:
            return self._from_examples(messages) or ""
        if isinstance(self.answers, dict):
            last = _text(messages[-1].get("content")) if messages else ""
            for key, values in self.answers.items():
                if key in last:
                    return self.format_answer(values)
            return NO_MORE
        return self.format_answer(next(self.answers, {"answer": NO_MORE}))

    def format_answer(self, values: Mapping[str, Any]) -> str:
        """``values`` ({field: value}) written as the adapter lays out an answer."""
        if isinstance(self.adapter, JSONAdapter):
            return json.dumps(jsonable(dict(values)), indent=2, ensure_ascii=False)
        field = OutputField()
        if isinstance(self.adapter, XMLAdapter):
            return "\n\n".join(
                f"<{name}>\n{_xml_text(format_value(field, value))}\n</{name}>"
                for name, value in values.items()
            )
        return "\n\n".join(section(name, format_value(field, value)) for name, value in values.items())

    @staticmethod
    def _from_examples(messages: list[dict[str, Any]]) -> str | None:
        """The demo answer for the request: output headers are the section headers that open
        fewer messages than the commonest one (inputs open every user message); the answer is
        the latest assistant message holding one of them after a user message that contains the
        request's first paragraph."""
        texts = [_text(message.get("content")) for message in messages]
        opened: dict[str, int] = {}
        for text in texts:
            match = FIELD_HEADER.match(text)
            if match:
                opened[match.group(0)] = opened.get(match.group(0), 0) + 1
        if not opened or not texts:
            return None
        most = max(opened.values())
        output_headers = [header for header, count in opened.items() if count != most]
        request = texts[-1].split("\n\n")[0]
        for i in range(len(texts) - 1, 0, -1):
            if any(header in texts[i] for header in output_headers) and request in texts[i - 1]:
                return texts[i]
        return None


def _text(content: Any) -> str:
    """A message's text (the text parts of a content list, joined)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


class DummyVectorizer:
    """Texts as vectors of hashed character n-gram counts, centred and scaled to unit length.

    Deterministic across processes (the hash coefficients come from a fixed seed, without
    touching the global random state). Returns a ``numpy`` float32 matrix when numpy is
    installed, else a list of lists of floats.
    """

    def __init__(self, max_length: int = 100, n_gram: int = 2) -> None:
        self.max_length = max_length
        self.n_gram = n_gram
        self.P = 10**9 + 7
        seeded = random.Random(123)
        self.coeffs = [seeded.randrange(1, self.P) for _ in range(n_gram)]

    def _hash(self, gram: str) -> int:
        value = 1
        for coeff, char in zip(self.coeffs, gram, strict=False):
            value = (value * coeff + ord(char)) % self.P
        return value % self.max_length

    def _vector(self, text: str) -> list[float]:
        counts = [0.0] * self.max_length
        for i in range(len(text) - self.n_gram + 1):
            counts[self._hash(text[i : i + self.n_gram])] += 1.0
        mean = sum(counts) / self.max_length
        centred = [count - mean for count in counts]
        norm = sum(x * x for x in centred) ** 0.5 + 1e-10
        return [x / norm for x in centred]

    def __call__(self, texts: list[str]) -> Any:
        vectors = [self._vector(text) for text in texts]
        try:
            import numpy
        except ImportError:
            return vectors
        return numpy.array(vectors, dtype=numpy.float32)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")
