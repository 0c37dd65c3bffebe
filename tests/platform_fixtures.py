"""Fixtures for the Django platform tests (loaded as a plugin by ``tests/conftest.py``).

- ``user`` / ``other_user``: plain users; ``admin_client`` comes from pytest-django;
- ``qa_signature``: ``question -> answer``;
- ``stub_endpoint``: the OpenAI stub as the allow-listed endpoint ``"stub"`` (loopback allowed,
  key in ``DSPEX_STUB_API_KEY``), and a test key for stored credentials;
- ``stub_lm_config``: an ``lm_config`` for the stub endpoint (no cache, no retries);
- ``qa_program``: a Predict program over ``qa_signature`` talking to the stub;
- ``reply(**fields)``: a completion in the chat format (``[[ ## answer ## ]]`` ...);
- ``capitals_version``: a dataset version of capital questions (3 train, 2 dev) owned by ``user``;
- ``demo_dependent_stub``: the OpenAI stub answering right only when the prompt carries demos.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV


def reply(**fields: Any) -> str:
    """The completion text a chat-format LM returns for these output fields."""
    sections = "".join(f"[[ ## {name} ## ]]\n{value}\n\n" for name, value in fields.items())
    return sections + "[[ ## completed ## ]]"


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="ada", password="pw-ada-123")


@pytest.fixture
def other_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="grace", password="pw-grace-123")


@pytest.fixture
def qa_signature(user: Any) -> Any:
    from programs.services import signature_create

    return signature_create(name="qa", spec="question -> answer", owner=user)


STUB_ENDPOINT = "stub"
# A fixed Fernet key: stored credentials in tests (pytest-django runs with DEBUG off, where the
# SECRET_KEY fallback is refused).
TEST_CREDENTIALS_KEY = "dGVzdC1jcmVkZW50aWFscy1rZXktMzJieXRlcy0hISE="


def stub_endpoint_spec(base_url: str, **overrides: Any) -> dict[str, Any]:
    """An endpoint entry for a stub server on 127.0.0.1 (private addresses allowed)."""
    return {
        "provider": "openai",
        "base_url": base_url,
        "key_env": STUB_KEY_ENV,
        "models": ["*"],
        "allow_private": True,
        **overrides,
    }


@pytest.fixture
def stub_endpoint(openai_stub: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(STUB_KEY_ENV, STUB_KEY)
    settings.DSPEX_LM_ENDPOINTS = {
        **settings.DSPEX_LM_ENDPOINTS,
        STUB_ENDPOINT: stub_endpoint_spec(openai_stub.base_url),
    }
    settings.DSPEX_CREDENTIALS_KEY = TEST_CREDENTIALS_KEY
    return STUB_ENDPOINT


@pytest.fixture
def stub_lm_config(stub_endpoint: str) -> dict[str, Any]:
    return {"endpoint": stub_endpoint, "model": "stub-model", "params": {"cache": False, "num_retries": 0}}


@pytest.fixture
def qa_program(qa_signature: Any, stub_lm_config: dict[str, Any], user: Any) -> Any:
    from programs.services import program_create

    return program_create(name="qa", signature=qa_signature, lm_config=stub_lm_config, owner=user)


CAPITALS = {
    "France": "Paris",
    "Italy": "Rome",
    "Spain": "Madrid",
    "Germany": "Berlin",
    "Japan": "Tokyo",
}


@pytest.fixture
def capitals_version(qa_signature, user):
    """Three train and two dev questions about capitals."""
    import json

    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="capitals", signature=qa_signature, owner=user)
    lines = [
        json.dumps({"question": f"Capital of {country}?", "answer": city, "split": split})
        for (country, city), split in zip(
            CAPITALS.items(), ["train", "train", "train", "dev", "dev"], strict=True
        )
    ]
    return dataset_import(dataset=dataset, file="\n".join(lines).encode())


@pytest.fixture
def demo_dependent_stub(openai_stub):
    """An LM that answers right only when the prompt carries demos (so optimizing helps)."""

    def respond(request):
        messages = request.json["messages"]
        question = messages[-1]["content"].split("\n")[1]
        country = question.removeprefix("Capital of ").rstrip("?")
        answer = CAPITALS.get(country, "Nowhere") if len(messages) > 2 else "I do not know"
        return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"

    openai_stub.responder = respond
    return openai_stub
