"""Signatures are validated by the engine; a bad one is a ValidationError naming what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs.models import Signature
from programs.services import signature_create, signature_update

pytestmark = pytest.mark.django_db


def test_it_stores_a_valid_spec(user):
    signature = signature_create(name="qa", spec="context: list[str], question -> answer: int", owner=user)
    assert Signature.objects.get(pk=signature.pk).spec == "context: list[str], question -> answer: int"


def test_it_rejects_a_malformed_spec_with_the_reason_and_position():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="bad", spec="a: list[int -> b")
    [message] = caught.value.message_dict["spec"]
    assert "position 7" in message
    assert "unbalanced '['" in message
    assert not Signature.objects.exists()


def test_it_rejects_an_unknown_type_by_name():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="bad", spec="question -> answer: Frobnicator")
    assert "Frobnicator" in caught.value.message_dict["spec"][0]


def test_it_rejects_a_spec_without_outputs():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="bad", spec="question")
    assert "spec" in caught.value.message_dict


def test_a_write_checks_the_signature_through_the_engine_once(monkeypatch):
    from programs import services
    from programs.gateway.signatures import signature_from_row

    calls = []
    real = signature_from_row

    def counted(row):
        calls.append(row.spec)
        return real(row)

    monkeypatch.setattr(services, "signature_from_row", counted)
    signature_create(name="qa", spec="question -> answer")
    assert calls == ["question -> answer"]  # the model's own save no longer checks it again
    with pytest.raises(ValidationError):
        signature_create(name="bad", spec="a, a -> b")
    assert list(Signature.objects.values_list("name", flat=True)) == ["qa"]


def test_it_needs_a_spec_or_a_field_list():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="empty")
    assert "give a spec" in caught.value.message_dict["spec"][0]


def test_it_refuses_both_a_spec_and_a_field_list():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="both", spec="a -> b", fields=[{"name": "a", "kind": "input"}])
    assert "not both" in caught.value.message_dict["spec"][0]


def test_it_accepts_a_field_list_with_types_descriptions_and_constraints():
    signature = signature_create(
        name="rate",
        fields=[
            {"name": "review", "kind": "input", "type": "str", "desc": "a movie review"},
            {"name": "stars", "kind": "output", "type": "int", "constraints": {"ge": 1, "le": 5}},
        ],
        instructions="Rate the review.",
    )
    assert signature.pk is not None


def test_it_names_the_field_whose_type_is_wrong_in_a_field_list():
    with pytest.raises(ValidationError) as caught:
        signature_create(
            name="bad",
            fields=[
                {"name": "question", "kind": "input"},
                {"name": "answer", "kind": "output", "type": "list[int"},
            ],
        )
    [message] = caught.value.message_dict["fields"]
    assert "fields[1] ('answer')" in message
    assert "unbalanced '['" in message


def test_it_rejects_a_field_list_item_with_a_bad_kind():
    with pytest.raises(ValidationError) as caught:
        signature_create(name="bad", fields=[{"name": "q", "kind": "sideways"}])
    assert "kind must be 'input' or 'output'" in caught.value.message_dict["fields"][0]


def test_it_rejects_unknown_constraints_in_a_field_list():
    with pytest.raises(ValidationError) as caught:
        signature_create(
            name="bad",
            fields=[
                {"name": "q", "kind": "input"},
                {"name": "a", "kind": "output", "constraints": {"huge": 1}},
            ],
        )
    assert "constraints" in caught.value.message_dict["fields"][0]


def test_an_update_is_validated_too(user):
    signature = signature_create(name="qa", spec="question -> answer", owner=user)
    with pytest.raises(ValidationError):
        signature_update(signature=signature, spec="question -> ")
    signature.refresh_from_db()
    assert signature.spec == "question -> answer"
