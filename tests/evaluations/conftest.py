"""Fixtures of the evaluation tests.

- ``qa_dataset_version``: 1 train and 2 dev capital questions;
- ``make_questions(owner, n, name=...)``: a dataset version of ``n`` dev examples ``q0 -> a0`` ...;
- ``answering(stub, wrong=(...), fail=(...), delay=...)``: make the stub answer each question
  ``qN`` with ``aN`` (``wrong`` ones with ``nope``, ``fail`` ones with a 500) after ``delay`` s.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any

import pytest

from tests.platform_fixtures import reply
from tests.stubs.server import RecordedRequest, Reply

_QUESTION = re.compile(r"\[\[ ## question ## \]\]\n(.*?)\n")


@pytest.fixture
def qa_dataset_version(qa_signature, user):
    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="qa", signature=qa_signature, owner=user)
    return dataset_import(
        dataset=dataset,
        file=b'{"question": "Capital of France?", "answer": "Paris"}\n'
        b'{"question": "Capital of Italy?", "answer": "Rome", "split": "dev"}\n'
        b'{"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"}\n',
    )


def question_of(request: RecordedRequest) -> str:
    """The question of a chat-format completion request (the last one in its messages)."""
    text = "\n".join(str(m.get("content", "")) for m in (request.json or {}).get("messages", []))
    found = _QUESTION.findall(text)
    return found[-1] if found else ""


def answering(
    stub: Any,
    *,
    wrong: Collection[str] = (),
    fail: Collection[str] = (),
    delay: float | None = None,
) -> None:
    def respond(request: RecordedRequest) -> Reply:
        question = question_of(request)
        if question in fail:
            return Reply(status=500, delay=delay)
        answer = "nope" if question in wrong else "a" + question.removeprefix("q")
        return Reply(content=reply(answer=answer), delay=delay)

    stub.responder = respond


@pytest.fixture
def make_questions(qa_signature: Any) -> Callable[..., Any]:
    from datasets.services import dataset_create, dataset_import

    def make(owner: Any, n: int, name: str = "questions", split: str = "dev") -> Any:
        dataset = dataset_create(name=name, signature=qa_signature, owner=owner)
        lines = [{"question": f"q{i}", "answer": f"a{i}", "split": split} for i in range(n)]
        return dataset_import(dataset=dataset, file="\n".join(json.dumps(x) for x in lines).encode())

    return make
