"""A program names an allow-listed endpoint; it never gives a URL or an environment variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

import dspex
from programs.endpoints import lm_endpoints
from programs.gateway.lms import lm_for_program
from programs.models import Program
from programs.services import program_create, program_update
from tests.stubs.fixtures import STUB_KEY_ENV

pytestmark = pytest.mark.django_db


def refused(qa_signature, lm_config):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, lm_config=lm_config)
    assert not Program.objects.exists()
    return " ".join(caught.value.message_dict["lm_config"])


def test_the_default_endpoints_are_openai_anthropic_and_local():
    endpoints = lm_endpoints()
    assert {"openai", "anthropic", "local"} <= set(endpoints)
    assert (endpoints["openai"].base_url, endpoints["openai"].key_env) == (
        "https://api.openai.com/v1",
        "OPENAI_API_KEY",
    )
    assert endpoints["local"].key_env is None


@pytest.mark.parametrize(
    "lm_config, model, base_url",
    [
        ({"model": "openai/gpt-4o-mini"}, "openai/gpt-4o-mini", "https://api.openai.com/v1"),
        ({"endpoint": "openai", "model": "gpt-4o-mini"}, "openai/gpt-4o-mini", "https://api.openai.com/v1"),
        ({"model": "anthropic/claude-3-5-haiku"}, "anthropic/claude-3-5-haiku", "https://api.anthropic.com"),
        ({"model": "local/gemma-3-270m"}, "local/gemma-3-270m", None),
        ({}, "local/gemma-3-270m", None),
    ],
)
def test_a_config_means_an_endpoint_and_a_model(qa_signature, lm_config, model, base_url):
    program = program_create(name="p", signature=qa_signature, lm_config=lm_config)
    lm = lm_for_program(program, check_address=False)
    assert (lm.model, lm.base_url) == (model, base_url)


def test_a_base_url_is_refused_naming_the_field_and_what_to_do(qa_signature):
    message = refused(qa_signature, {"model": "openai/x", "base_url": "http://attacker.example/v1"})
    assert message.startswith("lm_config.base_url is not accepted")
    assert "lm_config.endpoint" in message


def test_a_base_url_with_userinfo_is_refused_and_not_echoed(qa_signature):
    message = refused(qa_signature, {"model": "openai/x", "base_url": "https://bob:hunter2@llm.example/v1"})
    assert "must never contain credentials" in message
    assert "hunter2" not in message


def test_an_api_key_env_is_refused_naming_the_field_and_what_to_do(qa_signature):
    message = refused(qa_signature, {"model": "openai/x", "api_key_env": "SECRET_KEY"})
    assert message.startswith("lm_config.api_key_env is not accepted")
    assert "/api/credentials/" in message


def test_the_exact_url_of_an_endpoint_becomes_that_endpoint(qa_signature, stub_endpoint, openai_stub):
    program = program_create(
        name="p",
        signature=qa_signature,
        lm_config={"model": "openai/m", "base_url": openai_stub.base_url + "/", "api_key_env": STUB_KEY_ENV},
    )
    assert program.lm_config == {"model": "openai/m", "endpoint": "stub"}


def test_the_url_of_an_endpoint_with_another_variable_is_still_refused(
    qa_signature, stub_endpoint, openai_stub
):
    message = refused(
        qa_signature, {"model": "openai/m", "base_url": openai_stub.base_url, "api_key_env": "DATABASE_URL"}
    )
    assert "is not accepted" in message and "DATABASE_URL" not in message


def test_an_endpoint_that_is_not_configured_is_refused_listing_the_allowed(qa_signature):
    message = refused(qa_signature, {"endpoint": "attacker", "model": "m"})
    assert "'attacker' is not an endpoint of this server" in message
    assert "openai" in message and "local" in message


def test_a_model_outside_the_endpoints_allowed_set_is_refused(qa_signature, settings):
    settings.DSPEX_LM_ENDPOINTS = {
        **settings.DSPEX_LM_ENDPOINTS,
        "openai": {**settings.DSPEX_LM_ENDPOINTS["openai"], "models": ["gpt-4o-mini", "gpt-4.1*"]},
    }
    message = refused(qa_signature, {"endpoint": "openai", "model": "o1-pro"})
    program_create(name="ok", signature=qa_signature, lm_config={"model": "openai/gpt-4.1-nano"})
    assert "'o1-pro' is not allowed on endpoint 'openai'" in message


def test_a_provider_without_an_endpoint_of_its_name_is_refused(qa_signature, settings):
    settings.DSPEX_LM_ENDPOINTS = {k: v for k, v in settings.DSPEX_LM_ENDPOINTS.items() if k != "anthropic"}
    message = refused(qa_signature, {"model": "anthropic/claude-3-5-haiku"})
    assert "no endpoint of this server is named after provider 'anthropic'" in message


def test_an_endpoint_without_a_shared_key_needs_a_credential(qa_signature, settings):
    settings.DSPEX_LM_ENDPOINTS = {
        **settings.DSPEX_LM_ENDPOINTS,
        "openai": {**settings.DSPEX_LM_ENDPOINTS["openai"], "shared_key": False},
    }
    message = refused(qa_signature, {"model": "openai/gpt-4o-mini"})
    assert "has no shared key" in message and "lm_config.credential" in message


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"provider": "openai", "base_url": "https://u:p@llm.example/v1"}, "must not contain user:password@"),
        ({"provider": "openai", "base_url": "ftp://llm.example"}, "http(s) URL"),
        ({"provider": "openai", "key_env": "sk-not-a-name!"}, "NAME of an environment variable"),
        ({"provider": "openai", "url": "https://llm.example"}, "unknown key(s) url"),
    ],
)
def test_a_malformed_endpoint_setting_is_an_error_naming_it(settings, spec, words):
    settings.DSPEX_LM_ENDPOINTS = {"broken": spec}
    with pytest.raises(ImproperlyConfigured) as caught:
        lm_endpoints()
    assert "DSPEX_LM_ENDPOINTS['broken']" in str(caught.value)
    assert words in str(caught.value)


def test_an_update_cannot_point_a_program_elsewhere(qa_program):
    with pytest.raises(ValidationError):
        program_update(program=qa_program, lm_config={**qa_program.lm_config, "base_url": "http://x.example"})
    qa_program.refresh_from_db()
    assert "base_url" not in qa_program.lm_config


def test_the_program_lm_runs_with_the_endpoints_variable_and_the_owner_as_tenant(qa_program, other_user):
    from programs.services import program_create as create

    lm = lm_for_program(qa_program)
    theirs = create(
        name="qa", signature=qa_program.signature, lm_config=qa_program.lm_config, owner=other_user
    )
    assert lm._key_env == STUB_KEY_ENV
    assert lm.credential_id != lm_for_program(theirs).credential_id
    assert isinstance(lm._given_credential, dspex.Credential)


def test_rows_written_around_the_validation_are_refused_when_run(qa_program):
    Program.objects.filter(pk=qa_program.pk).update(
        lm_config={"model": "openai/x", "base_url": "http://attacker.example/v1", "api_key_env": "SECRET_KEY"}
    )
    qa_program.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        lm_for_program(qa_program)
    assert "lm_config.base_url is not accepted" in " ".join(caught.value.message_dict["lm_config"])
