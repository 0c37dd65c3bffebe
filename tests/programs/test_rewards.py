"""The allow-listed reward functions of best_of_n and refine programs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

import dspex
from programs.rewards import describe_rewards, resolve_reward, reward_names


def pred(**fields):
    return dspex.Prediction(**fields)


def test_non_empty_is_the_share_of_filled_fields():
    reward = resolve_reward("non_empty", None)
    assert reward({}, pred(a="x", b="  ")) == 0.5
    assert (
        resolve_reward({"name": "non_empty", "params": {"fields": ["a"]}}, None)({}, pred(a="x", b="")) == 1.0
    )


def test_max_words_is_one_within_the_limit_and_less_beyond_it():
    reward = resolve_reward({"name": "max_words", "params": {"limit": 2}}, None)
    assert reward({}, pred(answer="Paris")) == 1.0
    assert reward({}, pred(answer="it is Paris, France")) == 0.5
    assert reward({}, pred(answer="")) == 0.0


def test_one_of_ignores_case_and_checks_the_named_field():
    reward = resolve_reward(
        {"name": "one_of", "params": {"choices": ["Positive", "negative"], "field": "label"}}, None
    )
    assert reward({}, pred(label=" positive ", other="x")) == 1.0
    assert reward({}, pred(label="neutral")) == 0.0


def test_matches_needs_the_whole_value_to_match():
    reward = resolve_reward({"name": "matches", "params": {"pattern": "[0-9]+"}}, None)
    assert reward({}, pred(answer="42")) == 1.0
    assert reward({}, pred(answer="42 apples")) == 0.0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("eval", "unknown reward 'eval'"),
        ({"name": "matches"}, "missing a required argument: 'pattern'"),
        ({"name": "matches", "params": {"pattern": "x" * 201}}, "at most 200 characters"),
        ({"name": "one_of", "params": {"choices": []}}, "non-empty list"),
        ({"name": "max_words", "params": {"limit": 0}}, "at least 1"),
        ({"name": "max_words", "params": {"limit": 1, "shell": "rm"}}, "unexpected keyword argument 'shell'"),
        ({"name": "non_empty", "extra": 1}, "unknown key(s) extra"),
        ({"name": "non_empty", "params": []}, "params must be a JSON object"),
    ],
)
def test_bad_reward_specs_are_validation_errors(spec, message):
    with pytest.raises(ValidationError) as caught:
        resolve_reward(spec, None)
    assert message in str(caught.value.message_dict["module_config"])


def test_the_setting_adds_rewards(settings):
    settings.DSPEX_REWARDS = {"always": "tests.programs.test_rewards.always_one"}
    assert "always" in reward_names()
    assert resolve_reward("always", None)({}, pred(a="")) == 1.0


def test_an_entry_in_the_common_setting_format_is_a_reward(settings):
    settings.DSPEX_REWARDS = {"always": {"path": f"{__name__}.always_one", "description": "1"}}
    assert resolve_reward({"name": "always"}, None)({}, pred(a="")) == 1.0
    assert {"name": "always", "summary": "1", "params": []} in describe_rewards()


def always_one(program):
    return lambda inputs, prediction: 1.0
