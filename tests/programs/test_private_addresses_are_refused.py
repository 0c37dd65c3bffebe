"""An endpoint on a private, loopback or link-local address is refused unless the operator allows it."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from programs.endpoints import check_endpoint_address, get_endpoint, reset_address_cache
from programs.services import program_create, program_execute
from tests.platform_fixtures import reply, stub_endpoint_spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_resolutions():
    reset_address_cache()
    yield
    reset_address_cache()


def configure(settings, **endpoints):
    settings.DSPEX_LM_ENDPOINTS = {**settings.DSPEX_LM_ENDPOINTS, **endpoints}


def test_a_program_on_a_loopback_endpoint_is_refused_when_it_runs(
    settings, openai_stub, stub_endpoint, qa_signature
):
    configure(settings, internal=stub_endpoint_spec(openai_stub.base_url, allow_private=False))
    program = program_create(
        name="p", signature=qa_signature, lm_config={"endpoint": "internal", "model": "m"}
    )
    openai_stub.script(reply(answer="Paris"))

    with pytest.raises(ValidationError) as caught:
        program_execute(program=program, inputs={"question": "q"})

    assert "resolves to a private or loopback address" in caught.value.message_dict["lm_config"][0]
    assert "allow_private" in caught.value.message_dict["lm_config"][0]
    assert openai_stub.requests == []


def test_the_same_endpoint_runs_when_the_operator_allows_private_addresses(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    program_execute(program=qa_program, inputs={"question": "q"})
    assert len(openai_stub.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/v1",
        "http://10.1.2.3/v1",
        "http://192.168.0.7:11434/v1",
        "http://169.254.169.254/latest",
        "http://[::1]:8000/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://100.64.0.1/v1",
        "http://0.0.0.0:9/v1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(settings, url):
    configure(settings, internal={"provider": "openai", "base_url": url})
    with pytest.raises(ValidationError, match="private or loopback"):
        check_endpoint_address(get_endpoint("internal"))


def test_a_public_address_passes(settings):
    configure(settings, public={"provider": "openai", "base_url": "https://8.8.8.8/v1"})
    check_endpoint_address(get_endpoint("public"))


def test_every_address_a_name_resolves_to_is_checked(settings, monkeypatch):
    # DNS cannot be controlled here: the resolver is replaced by one answering a public and a
    # private address for the same name (the DNS-rebinding shape).
    def resolve(host, port, *args, **kwargs):
        assert host == "llm.example"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    configure(settings, mixed={"provider": "openai", "base_url": "https://llm.example/v1"})
    with pytest.raises(ValidationError, match="private or loopback"):
        check_endpoint_address(get_endpoint("mixed"))
