"""Helpers of the evaluation tests (plain functions, usable from any test package).

- ``questions_version(owner, signature, n, name=...)``: a dataset version of ``n`` dev examples
  ``{"question": "q0", "answer": "a0"}``, ...;
- ``answering(stub, wrong=(...), fail=(...), delay=...)``: make the stub answer each question
  ``qN`` with ``aN`` (``wrong`` ones with ``nope``, ``fail`` ones with a 500) after ``delay`` s;
- ``question_of(request)``: the question a recorded completion request asked;
- ``evaluated(program, version, **options)``: an evaluation created and run to its end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from tests.platform_fixtures import reply
from tests.stubs.server import RecordedRequest, Reply

_QUESTION = re.compile(r"\[\[ ## question ## \]\]\n(.*?)\n")


def questions_version(owner: Any, signature: Any, n: int, name: str = "questions", split: str = "dev") -> Any:
    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name=name, signature=signature, owner=owner)
    lines = [{"question": f"q{i}", "answer": f"a{i}", "split": split} for i in range(n)]
    return dataset_import(dataset=dataset, file="\n".join(json.dumps(x) for x in lines).encode())


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


def evaluated(program: Any, version: Any, *, owner: Any = None, **options: Any) -> Any:
    """Create an evaluation of ``program``'s current version on ``version`` and run it here."""
    from evaluations.services import evaluation_create, evaluation_run

    evaluation = evaluation_create(
        program_version=program.current_version, dataset_version=version, owner=owner, **options
    )
    return evaluation_run(evaluation_id=evaluation.pk)
