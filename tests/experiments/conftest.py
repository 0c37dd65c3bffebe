from __future__ import annotations

import pytest


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
