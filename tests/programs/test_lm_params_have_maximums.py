"""LM parameters are known names within limits, in lm_config and wherever a module passes them on."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs.models import Program
from programs.services import program_create

pytestmark = pytest.mark.django_db


def refused(qa_signature, field, **program):
    with pytest.raises(ValidationError) as caught:
        program_create(name="p", signature=qa_signature, **program)
    assert not Program.objects.exists()
    return " ".join(caught.value.message_dict[field])


@pytest.mark.parametrize(
    "params, words",
    [
        ({"timeout": 86400}, "lm_config.params.timeout must be between 0 and 600, got 86400"),
        ({"num_retries": 10**6}, "lm_config.params.num_retries must be between 0 and 10"),
        ({"n": 10**6}, "lm_config.params.n must be between 1 and 16"),
        ({"max_tokens": 10**7}, "lm_config.params.max_tokens must be between 1 and 32768"),
        ({"n": 0}, "lm_config.params.n must be between 1 and 16, got 0"),
        ({"num_retries": 2.5}, "lm_config.params.num_retries must be an integer"),
        ({"timeout": "forever"}, "lm_config.params.timeout must be a number"),
        ({"rpm": -1}, "lm_config.params.rpm must be a number of at least 0"),
        ({"cache": "yes"}, "lm_config.params.cache must be true or false"),
        ({"api_base": "http://x.example"}, "lm_config.params.api_base is not accepted"),
        ({"headers": {"X-Forwarded-For": "1"}}, "lm_config.params.headers is not accepted"),
        ({"custom_llm_provider": "ollama"}, "lm_config.params.custom_llm_provider is not accepted"),
        ({"launch_kwargs": {}}, "lm_config.params.launch_kwargs is not a known LM parameter"),
    ],
)
def test_lm_config_params_out_of_bounds_are_refused_naming_them(qa_signature, params, words):
    assert words in refused(qa_signature, "lm_config", lm_config={"model": "openai/m", "params": params})


def test_params_within_the_limits_are_kept(qa_signature):
    params = {"timeout": 600, "num_retries": 10, "n": 16, "max_tokens": 32768, "temperature": 0.7, "seed": 3}
    program = program_create(
        name="p", signature=qa_signature, lm_config={"model": "openai/m", "params": params}
    )
    assert program.lm_config["params"] == params


def test_the_max_tokens_limit_is_a_setting(qa_signature, settings):
    settings.DSPEX_LM_PARAM_LIMITS = {**settings.DSPEX_LM_PARAM_LIMITS, "max_tokens": 512}
    words = "lm_config.params.max_tokens must be between 1 and 512, got 1024"
    assert words in refused(qa_signature, "lm_config", lm_config={"params": {"max_tokens": 1024}})


def test_an_operator_can_allow_more_parameter_names(qa_signature, settings):
    settings.DSPEX_LM_EXTRA_PARAMS = ["service_tier"]
    program = program_create(
        name="p", signature=qa_signature, lm_config={"model": "openai/m", "params": {"service_tier": "flex"}}
    )
    assert program.lm_config["params"] == {"service_tier": "flex"}


@pytest.mark.parametrize(
    "module_type, module_config, words",
    [
        ("predict", {"n": 10**6}, "module_config.n must be between 1 and 16"),
        ("predict", {"max_tokens": 10**7}, "module_config.max_tokens must be between 1 and 32768"),
        ("chain_of_thought", {"api_base": "http://x.example"}, "module_config.api_base is not accepted"),
        ("parallel", {"n": 1000}, "module_config.n must be between 1 and 16"),
        (
            "best_of_n",
            {"N": 2, "reward": "non_empty", "module_config": {"headers": {"a": "b"}}},
            "module_config.module_config.headers is not accepted",
        ),
    ],
)
def test_module_options_that_reach_the_lm_are_limited_too(qa_signature, module_type, module_config, words):
    message = refused(qa_signature, "module_config", module_type=module_type, module_config=module_config)
    assert words in message


def test_a_pipeline_steps_config_is_limited_too(qa_signature):
    step = {"id": "a", "module": "predict", "signature": "question -> answer"}
    step["inputs"] = {"question": "inputs.question"}
    step["config"] = {"timeout": 86400}
    spec = {"inputs": ["question"], "outputs": {"answer": "steps.a.answer"}, "steps": [step]}
    message = refused(qa_signature, "module_config", module_type="pipeline", module_config=spec)
    assert "module_config.steps[0].config.timeout must be between 0 and 600" in message
