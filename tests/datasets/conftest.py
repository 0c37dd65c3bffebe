from __future__ import annotations

import pytest


@pytest.fixture
def math_signature(user):
    from programs.services import signature_create

    return signature_create(name="math", spec="question, hints: list[str] -> answer: int", owner=user)


@pytest.fixture
def math_dataset(math_signature, user):
    from datasets.services import dataset_create

    return dataset_create(name="math", signature=math_signature, owner=user)
