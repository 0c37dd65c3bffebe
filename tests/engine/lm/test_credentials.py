"""The API key never appears in repr, state, errors, history or logs."""

from __future__ import annotations

import json
import logging
import pickle

import pytest

from dspex.lm import LM, AuthenticationError, LMError, track_calls
from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

MESSAGES = [{"role": "user", "content": "ping"}]


def test_the_key_is_sent_only_in_the_authorization_header(openai_stub, stub_lm):
    stub_lm.request(MESSAGES)

    [received] = openai_stub.requests
    assert received.headers["authorization"] == f"Bearer {STUB_KEY}"
    assert STUB_KEY not in json.dumps(received.json)


def test_repr_and_dump_state_name_the_variable_not_the_key(stub_lm):
    state = stub_lm.dump_state()

    assert STUB_KEY not in repr(stub_lm)
    assert STUB_KEY not in json.dumps(state)
    assert state["api_key_env"] == STUB_KEY_ENV
    assert STUB_KEY_ENV in repr(stub_lm)


def test_the_key_is_not_kept_on_the_lm_or_in_its_pickle(stub_lm, openai_stub):
    stub_lm.request(MESSAGES)

    assert STUB_KEY not in repr(vars(stub_lm))
    assert STUB_KEY.encode() not in pickle.dumps(stub_lm)


def test_history_and_tracked_calls_hold_no_key(openai_stub, stub_lm):
    with track_calls() as calls:
        stub_lm.request(MESSAGES)

    assert STUB_KEY not in json.dumps(stub_lm.history, default=str)
    assert STUB_KEY not in json.dumps(calls[0].to_dict(), default=str)


def test_a_server_message_echoing_the_key_is_redacted(openai_stub, stub_lm):
    openai_stub.script(
        {"status": 401, "body": {"error": {"message": f"Incorrect API key provided: {STUB_KEY}."}}}
    )

    with pytest.raises(AuthenticationError) as caught:
        stub_lm.request(MESSAGES)

    assert STUB_KEY not in str(caught.value)
    assert "Incorrect API key provided: ***." in str(caught.value)


def test_logs_never_contain_the_key(openai_stub, stub_lm, caplog):
    caplog.set_level(logging.DEBUG)
    openai_stub.script(
        {"status": 500, "body": {"error": {"message": f"upstream said {STUB_KEY}"}}},
        {"drop": True},
        "finally",
    )

    stub_lm.request(MESSAGES)
    openai_stub.script(*[{"status": 401, "body": {"error": {"message": STUB_KEY}}}])
    with pytest.raises(LMError):
        stub_lm.request(MESSAGES)

    assert "upstream said ***" in caplog.text
    assert STUB_KEY not in caplog.text


def test_errors_for_a_missing_key_name_the_variable_only(monkeypatch):
    monkeypatch.setenv("SOME_OTHER_VAR", "sk-unrelated-secret-9999")
    monkeypatch.delenv("ABSENT_KEY", raising=False)
    lm = LM("openai/gpt-4o-mini", api_key_env="ABSENT_KEY")

    with pytest.raises(AuthenticationError) as caught:
        lm.request(MESSAGES)

    assert "ABSENT_KEY" in str(caught.value)
    assert "sk-unrelated-secret-9999" not in str(caught.value)
