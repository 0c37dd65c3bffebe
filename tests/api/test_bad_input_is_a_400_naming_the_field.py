"""Bad input is a 400 whose body names the field and says what is wrong -- never a 500."""

from __future__ import annotations

import pytest

from datasets.models import Dataset
from programs.models import Program, Signature

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "spec, reason",
    [
        ("a: list[int -> b", "Invalid signature at position 7: unbalanced '[': no matching ']'"),
        ("a -> b -> c", "more than one '->'"),
        ("a, a -> b", "duplicate field 'a'"),
        ("a: Foo -> b", "unknown type 'Foo'"),
    ],
)
def test_a_malformed_signature_spec_is_rejected_with_the_parsers_reason(ada_api, spec, reason):
    response = ada_api.post("/api/signatures/", {"name": "s", "spec": spec}, format="json")
    assert response.status_code == 400
    [message] = response.json()["spec"]
    assert reason in message
    assert not Signature.objects.exists()


def test_a_signature_needs_a_spec_or_a_field_list(ada_api):
    response = ada_api.post("/api/signatures/", {"name": "s"}, format="json")
    assert response.status_code == 400
    assert "give a spec" in response.json()["spec"][0]


def test_a_bad_field_list_names_the_field(ada_api):
    fields = [{"name": "q", "kind": "input"}, {"name": "a", "kind": "sideways"}]
    response = ada_api.post("/api/signatures/", {"name": "s", "fields": fields}, format="json")
    assert response.status_code == 400
    assert "fields[1] (a): kind must be 'input' or 'output'" in response.json()["fields"][0]


def test_a_field_list_that_is_not_a_list_of_objects_is_a_shape_error(ada_api):
    response = ada_api.post("/api/signatures/", {"name": "s", "fields": "q -> a"}, format="json")
    assert response.status_code == 400
    assert "fields" in response.json()


def test_a_field_list_signature_is_created(ada_api):
    fields = [
        {"name": "q", "kind": "input", "desc": "The question"},
        {"name": "n", "kind": "output", "type": "int"},
    ]
    response = ada_api.post("/api/signatures/", {"name": "s", "fields": fields}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["input_schema"]["properties"] == {"q": {"type": "string", "description": "The question"}}
    assert body["output_schema"]["properties"] == {"n": {"type": "integer"}}


def test_an_update_is_validated_too(ada_api, qa_signature):
    response = ada_api.patch(f"/api/signatures/{qa_signature.pk}/", {"spec": "a ->"}, format="json")
    assert response.status_code == 400
    assert "at least one output field" in response.json()["spec"][0]
    qa_signature.refresh_from_db()
    assert qa_signature.spec == "question -> answer"


def test_a_duplicate_name_is_a_400_not_a_500(ada_api, qa_signature):
    response = ada_api.post("/api/signatures/", {"name": "qa", "spec": "a -> b"}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["non_field_errors"][0]


def test_a_missing_name_is_a_shape_error(ada_api):
    response = ada_api.post("/api/signatures/", {"spec": "a -> b"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}


@pytest.mark.parametrize(
    "lm_config, words",
    [
        ({"model": "openai/x", "api_key": "sk-live-123"}, "must not contain credentials"),
        ({"model": "openai/x", "params": {"headers": {"Authorization": "Bearer x"}}}, "credentials"),
        ({"model": "openai/x", "api_key_env": "sk-live-1234567890"}, "lm_config.api_key_env is not accepted"),
        ({"model": "openai/x", "temperature": 0.5}, "unknown lm_config key"),
        ({"model": 3}, "lm_config.model must be a string"),
    ],
)
def test_a_bad_lm_config_is_rejected_naming_lm_config(ada_api, qa_signature, lm_config, words):
    body = {"name": "p", "signature": qa_signature.pk, "lm_config": lm_config}
    response = ada_api.post("/api/programs/", body, format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()["lm_config"])
    assert "sk-live" not in response.content.decode()
    assert not Program.objects.exists()


def test_an_lm_config_that_is_not_an_object_is_a_shape_error(ada_api, qa_signature):
    response = ada_api.post(
        "/api/programs/", {"name": "p", "signature": qa_signature.pk, "lm_config": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert "lm_config" in response.json()


def test_an_unknown_module_type_lists_the_known_ones(ada_api, qa_signature):
    response = ada_api.post(
        "/api/programs/",
        {"name": "p", "signature": qa_signature.pk, "module_type": "react_v9"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["module_type"] == ['"react_v9" is not a valid choice.']


def test_credentials_in_the_module_config_are_a_400(ada_api, qa_signature):
    body = {"name": "p", "signature": qa_signature.pk, "module_config": {"api_key": "sk-live-1"}}
    response = ada_api.post("/api/programs/", body, format="json")
    assert response.status_code == 400
    assert "must not contain credentials" in response.json()["module_config"][0]
    assert "sk-live" not in response.content.decode()


def test_a_program_update_is_validated_and_nothing_changes(ada_api, qa_program):
    response = ada_api.patch(
        f"/api/programs/{qa_program.pk}/", {"lm_config": {"api_key": "sk-x"}}, format="json"
    )
    assert response.status_code == 400
    assert "lm_config" in response.json()
    qa_program.refresh_from_db()
    assert "api_key" not in qa_program.lm_config


def test_a_dataset_needs_a_name(ada_api):
    response = ada_api.post("/api/datasets/", {"description": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}
    assert not Dataset.objects.exists()


def test_a_non_json_body_is_a_400(ada_api):
    response = ada_api.generic("POST", "/api/signatures/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
