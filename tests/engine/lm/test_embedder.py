"""Embedder over real HTTP against the stub's /v1/embeddings (deterministic hash vectors)."""

from __future__ import annotations

import pytest

import dspex
from dspex.lm import AuthenticationError, BadRequestError
from dspex.lm.embedder import mean_pool, reset_embedding_cache
from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV
from tests.stubs.openai_stub import fake_embedding


@pytest.fixture(autouse=True)
def empty_embedding_cache():
    reset_embedding_cache()
    yield
    reset_embedding_cache()


@pytest.fixture
def make_embedder(openai_stub, monkeypatch):
    monkeypatch.setenv(STUB_KEY_ENV, STUB_KEY)

    def make(**options):
        return dspex.Embedder(
            "openai/stub-embedding", base_url=openai_stub.base_url, api_key_env=STUB_KEY_ENV, **options
        )

    return make


def _inputs(openai_stub) -> list[list[str]]:
    return [r.json["input"] for r in openai_stub.requests if r.path.endswith("/embeddings")]


def test_it_returns_one_vector_per_text_in_order(openai_stub, make_embedder):
    texts = ["a gem of a film", "a waste of time", "fine"]
    assert make_embedder()(texts) == [pytest.approx(fake_embedding(t)) for t in texts]
    (request,) = openai_stub.requests
    assert request.path == "/v1/embeddings"
    assert request.json["model"] == "stub-embedding"
    assert request.headers["authorization"] == f"Bearer {STUB_KEY}"


def test_a_single_text_gives_a_single_vector(make_embedder):
    assert make_embedder()("hello") == pytest.approx(fake_embedding("hello"))


def test_texts_go_out_in_batches_of_batch_size(openai_stub, make_embedder):
    texts = [f"text {i}" for i in range(5)]
    vectors = make_embedder(batch_size=2)(texts)
    assert _inputs(openai_stub) == [texts[0:2], texts[2:4], texts[4:5]]
    assert vectors[4] == pytest.approx(fake_embedding("text 4"))


def test_cached_texts_are_not_sent_again(openai_stub, make_embedder):
    embedder = make_embedder()
    first = embedder(["a", "b"])
    second = embedder(["b", "c", "a"])
    assert _inputs(openai_stub) == [["a", "b"], ["c"]]
    assert second == [first[1], pytest.approx(fake_embedding("c")), first[0]]


def test_cached_vectors_are_kept_per_credential(openai_stub, make_embedder):
    make_embedder()(["a"])
    credential = dspex.Credential.from_secret("sk-tenant-0123456789", identity="tenant-a")
    tenant = dspex.Embedder("openai/stub-embedding", base_url=openai_stub.base_url, credential=credential)

    tenant(["a"])

    assert _inputs(openai_stub) == [["a"], ["a"]]
    assert openai_stub.requests[1].headers["authorization"] == "Bearer sk-tenant-0123456789"
    assert tenant.credential_id == "tenant-a"


def test_a_text_repeated_in_one_call_is_sent_once(openai_stub, make_embedder):
    vectors = make_embedder(cache=False)(["x", "y", "x"])
    assert _inputs(openai_stub) == [["x", "y"]]
    assert vectors[0] == vectors[2] == pytest.approx(fake_embedding("x"))


def test_without_the_cache_every_call_is_sent(openai_stub, make_embedder):
    embedder = make_embedder(cache=False)
    embedder(["a"])
    embedder(["a"])
    assert _inputs(openai_stub) == [["a"], ["a"]]


async def test_the_async_call_gives_the_same_vectors(openai_stub, make_embedder):
    texts = [f"t{i}" for i in range(5)]
    vectors = await make_embedder(batch_size=2, cache=False).acall(texts)
    assert vectors == [pytest.approx(fake_embedding(t)) for t in texts]
    assert sorted(len(batch) for batch in _inputs(openai_stub)) == [1, 2, 2]


def test_extra_keyword_arguments_are_sent_with_every_request(openai_stub, make_embedder):
    make_embedder(dimensions=8)(["a"])
    assert openai_stub.requests[0].json["dimensions"] == 8


def test_a_callable_model_is_called_per_batch_and_may_return_an_array():
    calls = []

    class Array(list):
        def tolist(self):
            return [list(row) for row in self]

    def encode(texts):
        calls.append(list(texts))
        return Array([[float(len(t)), 1.0] for t in texts])

    assert dspex.Embedder(encode, batch_size=2)(["a", "bb", "ccc"]) == [[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]]
    assert calls == [["a", "bb"], ["ccc"]]


def test_per_token_vectors_are_mean_pooled():
    assert mean_pool([[1.0, 2.0], [3.0, 6.0]]) == [2.0, 4.0]
    assert mean_pool([1, 2]) == [1.0, 2.0]


def test_a_missing_key_is_an_authentication_error_naming_the_variable(monkeypatch):
    monkeypatch.delenv("NO_SUCH_EMBEDDING_KEY", raising=False)
    embedder = dspex.Embedder(
        "openai/e", base_url="https://embeddings.invalid/v1", api_key_env="NO_SUCH_EMBEDDING_KEY"
    )
    with pytest.raises(AuthenticationError, match="NO_SUCH_EMBEDDING_KEY"):
        embedder(["a"])


def test_a_server_without_embeddings_gives_a_typed_error(anthropic_stub):
    embedder = dspex.Embedder("openai/e", base_url=anthropic_stub.url, num_retries=0)
    with pytest.raises(BadRequestError, match="HTTP 404"):
        embedder(["a"])


def test_bad_arguments_are_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="openai/<name>"):
        dspex.Embedder("anthropic/claude")
    with pytest.raises(TypeError, match="api_key_env"):
        dspex.Embedder("openai/e", api_key="sk-123")
    with pytest.raises(TypeError, match="strings"):
        dspex.Embedder(lambda texts: texts)(["a", 3])


def test_the_key_never_appears_in_the_repr(make_embedder):
    assert STUB_KEY not in repr(make_embedder())


def test_a_callable_models_vectors_are_cached_for_that_function_only():
    calls = []

    def encode(texts):
        calls.append(list(texts))
        return [[float(len(t))] for t in texts]

    def other(texts):
        return [[-1.0] for _ in texts]

    assert dspex.Embedder(encode)(["ab"]) == [[2.0]]
    assert dspex.Embedder(encode)(["ab"]) == [[2.0]]
    assert dspex.Embedder(other)(["ab"]) == [[-1.0]]  # another function: its own vectors
    assert dspex.Embedder(encode, cache=False)(["ab"]) == [[2.0]]
    assert calls == [["ab"], ["ab"]]


def test_a_model_that_is_neither_a_string_nor_callable_is_a_type_and_value_error():
    import pytest

    with pytest.raises(TypeError):
        dspex.Embedder(123)
    with pytest.raises(ValueError):
        dspex.Embedder(123)
