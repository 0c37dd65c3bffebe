"""createSignature / updateSignature: engine-validated, errors in the payload naming the field."""

from __future__ import annotations

import pytest

from programs.models import Signature
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: CreateSignatureInput!) { createSignature(input: $input) {
    signature { id name spec fields instructions owner { username } } errors { field message code } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateSignatureInput!) { updateSignature(id: $id, input: $input) {
    signature { name spec fields instructions } errors { field message code } } }"""


def test_it_creates_a_signature_from_a_spec(graphql, user):
    payload = graphql(CREATE, {"input": {"name": "qa", "spec": "question -> answer"}}).data["createSignature"]
    assert payload["errors"] == []
    assert payload["signature"]["name"] == "qa"
    assert payload["signature"]["spec"] == "question -> answer"
    assert payload["signature"]["owner"] == {"username": "ada"}
    assert Signature.objects.get(name="qa").owner == user


def test_it_creates_a_signature_from_a_field_list(graphql):
    fields = [
        {"name": "question", "kind": "input"},
        {"name": "answer", "kind": "output", "type": "int", "desc": "a number"},
    ]
    payload = graphql(CREATE, {"input": {"name": "math", "fields": fields, "instructions": "Compute."}}).data[
        "createSignature"
    ]
    assert payload["errors"] == []
    assert payload["signature"]["fields"] == fields
    assert payload["signature"]["instructions"] == "Compute."


def test_a_malformed_spec_is_an_error_on_spec_with_the_parsers_reason(graphql):
    payload = graphql(CREATE, {"input": {"name": "bad", "spec": "a: list[int -> b"}}).data["createSignature"]
    assert payload["signature"] is None
    [error] = payload["errors"]
    assert error["field"] == "spec"
    assert error["code"] == "INVALID_SIGNATURE"
    assert "position 7" in error["message"] and "unbalanced '['" in error["message"]
    assert not Signature.objects.exists()


def test_a_bad_field_list_is_an_error_on_fields(graphql):
    payload = graphql(CREATE, {"input": {"name": "bad", "fields": [{"name": "q", "kind": "sideways"}]}}).data[
        "createSignature"
    ]
    assert payload["errors"] == [
        {
            "field": "fields",
            "message": "fields[0] (q): kind must be 'input' or 'output', got 'sideways'",
            "code": "INVALID",
        }
    ]


def test_neither_spec_nor_fields_is_an_error(graphql):
    payload = graphql(CREATE, {"input": {"name": "empty"}}).data["createSignature"]
    assert payload["errors"][0]["field"] == "spec"
    assert payload["errors"][0]["code"] == "REQUIRED"


def test_a_duplicate_name_is_an_error_on_name(graphql):
    graphql(CREATE, {"input": {"name": "qa", "spec": "q -> a"}})
    payload = graphql(CREATE, {"input": {"name": "qa", "spec": "q -> a"}}).data["createSignature"]
    assert payload["signature"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", "UNIQUE_TOGETHER")]
    assert Signature.objects.count() == 1


def test_a_missing_required_argument_is_a_graphql_validation_error(graphql):
    result = graphql(CREATE, {"input": {"spec": "q -> a"}})
    assert result.status == 400
    assert "name" in result.errors[0]["message"]


def test_it_updates_only_the_fields_given(graphql, qa_signature):
    payload = graphql(
        UPDATE,
        {
            "id": gid(qa_signature),
            "input": {"instructions": "Answer tersely.", "spec": "question -> answer: int"},
        },
    ).data["updateSignature"]
    assert payload == {
        "signature": {
            "name": "qa",
            "spec": "question -> answer: int",
            "fields": [],
            "instructions": "Answer tersely.",
        },
        "errors": [],
    }


def test_switching_from_a_spec_to_a_field_list(graphql, qa_signature):
    fields = [{"name": "q", "kind": "input"}, {"name": "a", "kind": "output"}]
    payload = graphql(UPDATE, {"id": gid(qa_signature), "input": {"spec": None, "fields": fields}}).data[
        "updateSignature"
    ]
    assert payload["errors"] == []
    assert payload["signature"]["spec"] == "" and payload["signature"]["fields"] == fields


def test_an_invalid_update_changes_nothing(graphql, qa_signature):
    payload = graphql(UPDATE, {"id": gid(qa_signature), "input": {"spec": "-> ->"}}).data["updateSignature"]
    assert payload["signature"] is None
    assert payload["errors"][0]["field"] == "spec"
    qa_signature.refresh_from_db()
    assert qa_signature.spec == "question -> answer"


def test_a_null_name_is_refused(graphql, qa_signature):
    payload = graphql(UPDATE, {"id": gid(qa_signature), "input": {"name": None}}).data["updateSignature"]
    assert payload["errors"] == [{"field": "name", "message": "name cannot be null", "code": "REQUIRED"}]


def test_an_unknown_or_malformed_id_is_an_error_on_id(graphql, qa_signature, qa_program):
    payload = graphql(UPDATE, {"id": "U2lnbmF0dXJlOjk5OTk=", "input": {"name": "x"}}).data["updateSignature"]
    assert payload["errors"] == [
        {"field": "id", "message": "Signature 'U2lnbmF0dXJlOjk5OTk=' was not found", "code": "NOT_FOUND"}
    ]
    payload = graphql(UPDATE, {"id": gid(qa_program), "input": {"name": "x"}}).data["updateSignature"]
    assert payload["errors"][0]["field"] == "id"
    assert payload["errors"][0]["code"] == "INVALID"
    assert "is not the ID of a Signature" in payload["errors"][0]["message"]


def test_a_race_caught_by_the_database_is_a_conflict_error_not_a_500(graphql, monkeypatch):
    from django.db import IntegrityError

    from programs.graphql.mutations import create_signature

    def racing(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(create_signature, "signature_create", racing)
    payload = graphql(CREATE, {"input": {"name": "qa", "spec": "q -> a"}}).data["createSignature"]
    assert payload["errors"] == [
        {
            "field": "name",
            "message": "The change conflicts with another row (e.g. a name already in use).",
            "code": "CONFLICT",
        }
    ]
