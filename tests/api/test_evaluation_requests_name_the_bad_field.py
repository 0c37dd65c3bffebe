"""A bad evaluation request is a 400 naming the field, and nothing is created or queued."""

from __future__ import annotations

import pytest

from evaluations.models import Evaluation
from tests.evaluations.helpers import questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(user, qa_program):
    version = questions_version(user, qa_program.signature, 3)
    return {"program": qa_program.pk, "dataset": version.dataset_id}


def _post(client, body, **changes):
    data = {**body, **changes}
    return client.post("/api/evaluations/", {k: v for k, v in data.items() if v is not ...}, format="json")


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"program": ...}, "program", "required"),
        ({"program": 999}, "program", "was not found"),
        ({"program_version_number": 7}, "program_version_number", "program 'qa' has no version 7"),
        ({"dataset": ...}, "dataset", "required"),
        ({"dataset_version_number": 2}, "dataset_version_number", "dataset 'questions' has no version 2"),
        ({"split": "holdout"}, "split", "not a valid choice"),
        ({"split": "test"}, "split", "questions v1 has no test examples (train 0, dev 3, test 0)"),
        ({"metrics": "exact_match"}, "metrics", "must be a list"),
        ({"metrics": ["exact_match", "acc"]}, "metrics", "metrics[1]: unknown metric 'acc'"),
        ({"metrics": [{"name": "f1", "field": "label"}]}, "metrics", "f1 cannot compare 'label'"),
        ({"concurrency": 0}, "concurrency", "must be an integer from 1 to 64, got 0"),
        ({"concurrency": 65}, "concurrency", "must be an integer from 1 to 64, got 65"),
        ({"limit": 0}, "limit", "must be a positive integer"),
    ],
)
def test_each_bad_field_is_named(ada_api, body, changes, field, text):
    response = _post(ada_api, body, **changes)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert any(text in message for message in errors[field]), errors[field]
    assert not Evaluation.objects.exists()


def test_another_users_program_or_dataset_does_not_exist_for_you(grace_api, body):
    errors = _post(grace_api, body).json()
    assert set(errors) == {"program", "dataset"}
    assert "was not found" in errors["program"][0]


def test_examples_without_the_programs_inputs_are_refused(ada_api, user, stub_lm_config, body):
    from programs.services import program_create, signature_create

    signature = signature_create(name="sentiment", spec="sentence -> label", owner=user)
    program = program_create(name="sentiment", signature=signature, lm_config=stub_lm_config, owner=user)
    errors = _post(ada_api, body, program=program.pk).json()
    assert errors["dataset_version"] == [
        "the examples of questions v1 lack the input(s) sentence of 'sentiment' (they have: question)"
    ]
