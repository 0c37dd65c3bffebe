"""A program's module type, module config and LM config are checked; keys are never stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs.models import Program
from programs.services import program_create, program_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "lm_config, key",
    [
        ({"model": "openai/gpt-4o-mini", "api_key": "sk-live-123"}, "'api_key'"),
        ({"model": "openai/gpt-4o-mini", "params": {"api_key": "sk-live-123"}}, "'params.api_key'"),
        ({"model": "openai/gpt-4o-mini", "OPENAI_API_KEY": "sk-live-123"}, "'OPENAI_API_KEY'"),
        ({"model": "openai/gpt-4o-mini", "params": {"secret": "x"}}, "'params.secret'"),
        (
            {"model": "openai/gpt-4o-mini", "params": {"headers": {"Authorization": "Bearer x"}}},
            "Authorization",
        ),
    ],
)
def test_it_rejects_credentials_in_the_lm_config(qa_signature, lm_config, key):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, lm_config=lm_config)
    [message] = caught.value.message_dict["lm_config"]
    assert "must not contain credentials" in message
    assert key in message
    assert "lm_config.credential" in message  # where a key goes instead
    assert not Program.objects.exists()


def test_it_refuses_to_name_a_key_variable(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(
            name="p",
            signature=qa_signature,
            lm_config={"model": "openai/gpt-4o-mini", "api_key_env": "MY_OPENAI_KEY"},
        )
    [message] = caught.value.message_dict["lm_config"]
    assert message.startswith("lm_config.api_key_env is not accepted")
    assert "lm_config.credential" in message


def test_the_endpoints_own_key_variable_is_accepted_and_dropped(qa_signature):
    program = program_create(
        name="p",
        signature=qa_signature,
        lm_config={
            "model": "openai/gpt-4o-mini",
            "api_key_env": "OPENAI_API_KEY",
            "params": {"max_tokens": 64},
        },
    )
    assert program.lm_config == {"model": "openai/gpt-4o-mini", "params": {"max_tokens": 64}}


def test_a_key_pasted_where_the_variable_name_went_is_refused_and_not_echoed(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, lm_config={"api_key_env": "sk-abc123def456"})
    [message] = caught.value.message_dict["lm_config"]
    assert "api_key_env" in message
    assert "sk-abc123def456" not in message


def test_it_rejects_unknown_lm_config_keys(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, lm_config={"temperature": 0.2})
    assert "'temperature'" in caught.value.message_dict["lm_config"][0]
    assert "params" in caught.value.message_dict["lm_config"][0]


def test_it_rejects_a_model_the_engine_does_not_know(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, lm_config={"model": "nonsense"})
    assert "provider" in caught.value.message_dict["lm_config"][0]


def test_it_rejects_an_unknown_module_type(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, module_type="teleport")
    assert "module_type" in caught.value.message_dict


def test_it_rejects_credentials_in_the_module_config(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, module_config={"api_key": "sk-1"})
    assert "module_config" in caught.value.message_dict


def test_it_rejects_an_unknown_backend(qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, backend="quantum")
    assert "backend" in caught.value.message_dict


def test_an_update_cannot_sneak_a_key_in(qa_program):
    with pytest.raises(ValidationError):
        program_update(program=qa_program, lm_config={**qa_program.lm_config, "api_key": "sk-1"})
    qa_program.refresh_from_db()
    assert "api_key" not in qa_program.lm_config
