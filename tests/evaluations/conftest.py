"""Fixtures of the evaluation tests (helpers in ``tests.evaluations.helpers``).

- ``qa_dataset_version``: 1 train and 2 dev capital questions;
- ``make_questions(owner, n, name=...)``: a dataset version of ``n`` dev examples ``q0 -> a0`` ...
  over the ``qa`` signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.evaluations.helpers import answering, question_of, questions_version

__all__ = ["answering", "question_of"]


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


@pytest.fixture
def make_questions(qa_signature: Any) -> Callable[..., Any]:
    def make(owner: Any, n: int, name: str = "questions", split: str = "dev") -> Any:
        return questions_version(owner, qa_signature, n, name=name, split=split)

    return make
