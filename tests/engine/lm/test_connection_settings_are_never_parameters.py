"""Where a request goes and what it carries is set when the LM is created, never by parameters."""

from __future__ import annotations

import pytest

from dspex.lm import LM, Embedder

MESSAGES = [{"role": "user", "content": "ping"}]


@pytest.mark.parametrize("name", ["api_base", "headers", "extra_headers", "custom_llm_provider", "api_key"])
def test_the_lm_refuses_connection_settings_among_its_parameters(name):
    with pytest.raises(TypeError, match=name):
        LM("openai/m", **{name: "http://127.0.0.1:9"})


@pytest.mark.parametrize("name", ["api_base", "base_url", "api_key_env", "headers"])
def test_a_request_cannot_change_where_it_goes(openai_stub, stub_lm, name):
    with pytest.raises(TypeError, match=name):
        stub_lm.request(MESSAGES, **{name: "http://127.0.0.1:9/v1"})
    assert openai_stub.requests == []


@pytest.mark.parametrize("make", [LM, Embedder])
def test_a_base_url_with_user_and_password_is_refused(make):
    with pytest.raises(ValueError, match="must not contain credentials"):
        make("openai/m", base_url="https://user:pa55@llm.example/v1")


def test_setting_a_base_url_with_userinfo_later_is_refused_too():
    lm = LM("openai/m")
    with pytest.raises(ValueError, match="must not contain credentials"):
        lm.base_url = "http://admin:admin@127.0.0.1:9/v1"


def test_a_predictor_config_cannot_redirect_the_dspy_backend(openai_stub, stub_lm):
    pytest.importorskip("dspy")
    import dspex
    from dspex.hybrid.dspy_bridge import predict_to_dspy

    predict = dspex.Predict("question -> answer", api_base="http://127.0.0.1:9/v1")
    predict.lm = stub_lm
    with pytest.raises(TypeError, match="api_base"):
        predict_to_dspy(predict)
    with pytest.raises(TypeError, match="api_base"):
        predict(question="q")
    assert openai_stub.requests == []
