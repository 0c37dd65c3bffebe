"""Fixtures for the Django platform tests (loaded as a plugin by ``tests/conftest.py``).

- ``user`` / ``other_user``: plain users; ``admin_client`` comes from pytest-django;
- ``qa_signature``: ``question -> answer``;
- ``stub_lm_config``: an ``lm_config`` for the OpenAI stub (no cache, no retries);
- ``qa_program``: a Predict program over ``qa_signature`` talking to the stub;
- ``reply(**fields)``: a completion in the chat format (``[[ ## answer ## ]]`` ...).
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


@pytest.fixture
def stub_lm_config(openai_stub: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv(STUB_KEY_ENV, STUB_KEY)
    return {
        "model": "openai/stub-model",
        "base_url": openai_stub.base_url,
        "api_key_env": STUB_KEY_ENV,
        "params": {"cache": False, "num_retries": 0},
    }


@pytest.fixture
def qa_program(qa_signature: Any, stub_lm_config: dict[str, Any], user: Any) -> Any:
    from programs.services import program_create

    return program_create(name="qa", signature=qa_signature, lm_config=stub_lm_config, owner=user)
