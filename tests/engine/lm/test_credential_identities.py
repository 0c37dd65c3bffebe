"""A credential has an opaque identity: it keys the cache, never holds the key, never travels."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from dspex.lm import LM, AuthenticationError, Credential
from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

MESSAGES = [{"role": "user", "content": "ping"}]
TENANT_KEY = "sk-tenant-a-0123456789abcdef"


def tenant_lm(openai_stub, secret=TENANT_KEY, identity="tenant-a", **options):
    credential = Credential.from_secret(secret, identity=identity, source="credential 'a'")
    return LM("openai/stub-model", base_url=openai_stub.base_url, credential=credential, **options)


def test_the_default_identity_comes_from_the_variable_name_and_url_not_the_key(monkeypatch, openai_stub):
    monkeypatch.setenv("TEAM_KEY", "sk-first-value-000000")
    before = LM("openai/m", base_url=openai_stub.base_url, api_key_env="TEAM_KEY").credential_id
    monkeypatch.setenv("TEAM_KEY", "sk-other-value-111111")
    after = LM("openai/m", base_url=openai_stub.base_url + "/", api_key_env="TEAM_KEY").credential_id
    elsewhere = LM("openai/m", base_url="http://127.0.0.1:9/v1", api_key_env="TEAM_KEY").credential_id

    assert before == after
    assert elsewhere != before
    assert "sk-" not in before and "TEAM_KEY" not in before


def test_a_secret_credential_sends_its_key_to_its_lm_only(openai_stub):
    tenant_lm(openai_stub).request(MESSAGES)

    [received] = openai_stub.requests
    assert received.headers["authorization"] == f"Bearer {TENANT_KEY}"


def test_the_same_prompt_on_two_credentials_is_two_cache_entries(openai_stub, make_stub_lm):
    openai_stub.script("for a", "for b")
    tenant_lm(openai_stub, cache=True).request(MESSAGES)

    other = tenant_lm(openai_stub, secret="sk-tenant-b-999999999999", identity="tenant-b", cache=True)
    shared_env = make_stub_lm(cache=True)

    assert other.request(MESSAGES).outputs == ["for b"]
    assert shared_env.request(MESSAGES).cache_hit is False
    assert tenant_lm(openai_stub, cache=True).request(MESSAGES).cache_hit is True


def test_no_key_means_no_answer_not_even_a_cached_one(openai_stub):
    openai_stub.script("cached")
    tenant_lm(openai_stub, cache=True).request(MESSAGES)  # the answer is in the cache now

    # The same credential, its key gone (deleted, revoked): the cached answer is not served.
    with pytest.raises(AuthenticationError, match="credential 'a' holds none"):
        tenant_lm(openai_stub, secret=None, cache=True).request(MESSAGES)


def test_a_key_holding_lm_is_never_pickled_nor_dumped(openai_stub):
    lm = tenant_lm(openai_stub)

    assert TENANT_KEY not in json.dumps(lm.dump_state())
    assert TENANT_KEY not in repr(lm)
    assert "tenant-a" in repr(lm)
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(lm)


def test_copies_keep_the_credential(openai_stub):
    lm = tenant_lm(openai_stub, temperature=0.1)

    for other in (lm.copy(temperature=0.5), copy.deepcopy(lm), copy.copy(lm)):
        assert other.credential_id == "tenant-a"
        other.request(MESSAGES)
    assert {r.headers["authorization"] for r in openai_stub.requests} == {f"Bearer {TENANT_KEY}"}


def test_a_variable_credential_pickles_by_name(openai_stub, monkeypatch):
    monkeypatch.setenv(STUB_KEY_ENV, STUB_KEY)
    credential = Credential.from_env(STUB_KEY_ENV, base_url=openai_stub.base_url, tenant="user:7")
    lm = LM("openai/stub-model", base_url=openai_stub.base_url, credential=credential)

    restored = pickle.loads(pickle.dumps(lm))

    assert STUB_KEY.encode() not in pickle.dumps(lm)
    assert restored.credential_id == lm.credential_id
    assert (
        lm.credential_id
        != LM("openai/stub-model", base_url=openai_stub.base_url, api_key_env=STUB_KEY_ENV).credential_id
    )


def test_a_state_cannot_carry_a_credential(openai_stub):
    state = tenant_lm(openai_stub).dump_state()

    restored = LM.load_state({**state, "credential": {"identity": "tenant-b"}, "headers": {"X": "1"}})

    assert restored.credential_id != "tenant-b"
    assert restored._given_credential is None
