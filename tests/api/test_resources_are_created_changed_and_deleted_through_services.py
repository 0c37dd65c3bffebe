"""Create, update and delete: the API answers with the stored row; deleting something still in
use is a 409 that says what uses it."""

from __future__ import annotations

import pytest

from datasets.models import Dataset
from programs.models import Program, Signature

pytestmark = pytest.mark.django_db


def test_a_program_is_created_with_version_1(ada_api, qa_signature, stub_lm_config):
    body = {
        "name": "qa-cot",
        "signature": qa_signature.pk,
        "module_type": "chain_of_thought",
        "lm_config": stub_lm_config,
        "description": "Answers questions",
    }
    response = ada_api.post("/api/programs/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["signature_name"] == "qa"
    assert created["current_version"] == 1
    assert created["backend"] == "auto"
    assert created["lm_config"] == stub_lm_config
    assert created["owner"] == "ada"
    assert Program.objects.get().current_version.number == 1


def test_a_program_is_updated_with_put_and_patch(ada_api, qa_program, qa_signature):
    response = ada_api.patch(f"/api/programs/{qa_program.pk}/", {"backend": "native"}, format="json")
    assert response.status_code == 200
    assert response.json()["backend"] == "native"
    assert response.json()["name"] == "qa"
    response = ada_api.put(
        f"/api/programs/{qa_program.pk}/", {"name": "renamed", "signature": qa_signature.pk}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["backend"], response.json()["lm_config"]) == (
        "renamed",
        "auto",
        {},
    )


def test_a_put_must_be_complete(ada_api, qa_program):
    response = ada_api.put(f"/api/programs/{qa_program.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"signature": ["This field is required."]}


def test_a_signature_is_updated(ada_api, qa_signature):
    response = ada_api.patch(
        f"/api/signatures/{qa_signature.pk}/", {"spec": "question, context -> answer"}, format="json"
    )
    assert response.status_code == 200
    assert list(response.json()["input_schema"]["properties"]) == ["question", "context"]


def test_a_signature_used_by_a_program_cannot_be_deleted(ada_api, qa_program, qa_signature):
    response = ada_api.delete(f"/api/signatures/{qa_signature.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": "It is still used by programs: delete those first."}
    assert Signature.objects.filter(pk=qa_signature.pk).exists()


def test_a_program_and_an_unused_signature_can_be_deleted(ada_api, qa_program, qa_signature):
    assert ada_api.delete(f"/api/programs/{qa_program.pk}/").status_code == 204
    assert ada_api.delete(f"/api/signatures/{qa_signature.pk}/").status_code == 204
    assert not Program.objects.exists() and not Signature.objects.exists()


def test_a_dataset_is_created_updated_and_deleted(ada_api, qa_signature):
    response = ada_api.post("/api/datasets/", {"name": "d", "signature": qa_signature.pk}, format="json")
    assert response.status_code == 201
    created = response.json()
    assert (created["signature_name"], created["latest_version"], created["version_count"]) == ("qa", None, 0)
    response = ada_api.patch(f"/api/datasets/{created['id']}/", {"description": "more"}, format="json")
    assert response.json()["description"] == "more"
    response = ada_api.patch(f"/api/datasets/{created['id']}/", {"signature": None}, format="json")
    assert response.json()["signature"] is None
    assert ada_api.delete(f"/api/datasets/{created['id']}/").status_code == 204
    assert not Dataset.objects.exists()
