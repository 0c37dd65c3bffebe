"""dump_state / load_state / copy round-trip the configuration, never the key."""

from __future__ import annotations

import copy
import json
import pickle

from dspex.lm import LM


def test_dump_state_is_plain_json_in_dspys_layout_with_our_settings_when_set():
    lm = LM("openai/gpt-4o-mini", temperature=0.2, max_tokens=100, rpm=60, seed=1, api_key_env="TEAM_KEY")

    state = lm.dump_state()

    assert json.loads(json.dumps(state)) == state
    assert state == {
        "_dspy_lm_class": "dspy.clients.lm.LM",
        "model": "openai/gpt-4o-mini",
        "model_type": "chat",
        "temperature": 0.2,
        "max_tokens": 100,
        "seed": 1,
        "num_retries": 3,
        "cache": True,
        "finetuning_model": None,
        "launch_kwargs": {},
        "train_kwargs": {},
        "api_key_env": "TEAM_KEY",
        "rpm": 60,
    }


def test_a_default_lm_dumps_exactly_what_dspy_dumps():
    assert LM("openai/gpt-4o-mini", timeout=60.0).dump_state() == {
        "_dspy_lm_class": "dspy.clients.lm.LM",
        "model": "openai/gpt-4o-mini",
        "model_type": "chat",
        "num_retries": 3,
        "cache": True,
        "finetuning_model": None,
        "launch_kwargs": {},
        "train_kwargs": {},
    }


def test_a_timeout_other_than_the_providers_default_is_dumped():
    assert LM("openai/gpt-4o-mini", timeout=5).dump_state()["timeout"] == 5
    assert LM("local/gemma-3-270m").dump_state().get("timeout") is None


def test_load_state_rebuilds_an_equivalent_lm():
    lm = LM("anthropic/claude-3-5-haiku", base_url="https://proxy.example/anthropic", stop=["END"])

    rebuilt = LM.load_state(lm.dump_state())

    assert rebuilt.dump_state() == lm.dump_state()
    assert rebuilt.kwargs == {"stop": ["END"], "max_tokens": 1024}
    assert LM.from_state(lm.dump_state()).dump_state() == lm.dump_state()


def test_copy_applies_changes_and_none_removes_a_param():
    lm = LM("openai/gpt-4o-mini", temperature=0.0, max_tokens=10)

    other = lm.copy(temperature=0.9, max_tokens=None, num_retries=0, top_p=0.5)

    assert other.kwargs == {"temperature": 0.9, "top_p": 0.5}
    assert other.num_retries == 0
    assert lm.kwargs == {"temperature": 0.0, "max_tokens": 10}
    assert lm.num_retries == 3


def test_setting_a_config_attribute_updates_the_request_plumbing():
    lm = LM("openai/gpt-4o-mini")

    lm.num_retries = 7
    lm.base_url = "http://127.0.0.1:9999/v1"

    assert lm._endpoint.policy.num_retries == 7
    assert str(lm._url) == "http://127.0.0.1:9999/v1/chat/completions"


def test_pickle_and_deepcopy_keep_configuration_and_history():
    lm = LM("openai/gpt-4o-mini", temperature=0.1)
    lm.history.append({"outputs": ["x"]})

    for clone in (pickle.loads(pickle.dumps(lm)), copy.deepcopy(lm)):
        assert clone.dump_state() == lm.dump_state()
        assert clone.history == [{"outputs": ["x"]}]


def test_local_models_default_to_stopping_deterministic_generation():
    lm = LM("local/gemma-3-270m")

    assert lm.kwargs == {
        "temperature": 0.0,
        "max_tokens": 256,
        "stop": ["[[ ## completed ## ]]", "<end_of_turn>"],
    }
    assert LM("local/gemma-3-270m", max_tokens=32, stop=["###"]).kwargs["stop"] == ["###"]


def test_repr_is_short_and_useful():
    lm = LM("openai/gpt-4o-mini", temperature=0.0, api_key_env="TEAM_KEY")

    assert repr(lm) == (
        "LM('openai/gpt-4o-mini', api_key_env='TEAM_KEY', cache=True, kwargs={'temperature': 0.0})"
    )
