"""The router's preference: configure(backend=...), per-type overrides, per instance, per call,
dspex.context(backend=...), and composite programs."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.hybrid.helpers import reply

pytestmark = pytest.mark.dspy


@pytest.fixture
def lm(openai_stub, make_stub_lm):
    openai_stub.set_default(reply(reasoning="r", answer="a", verdict="v"))
    lm = make_stub_lm()
    dspex.configure(lm=lm)
    return lm


def backend_of(prediction):
    return [a["backend"] for a in dspex.hybrid.attempts_of(prediction)]


def test_auto_runs_natively_where_a_native_implementation_exists(lm):
    assert backend_of(dspex.Predict("question -> answer")(question="q")) == ["native"]
    assert backend_of(dspex.ChainOfThought("question -> answer")(question="q")) == ["native"]


def test_configure_backend_dspy_runs_everything_on_dspy(lm):
    dspex.configure(backend="dspy")
    assert backend_of(dspex.Predict("question -> answer")(question="q")) == ["dspy"]


def test_a_type_override_beats_the_global_backend(lm):
    dspex.configure(backend="native", overrides={"chain_of_thought": "dspy"})
    assert backend_of(dspex.ChainOfThought("question -> answer")(question="q")) == ["dspy"]
    assert backend_of(dspex.Predict("question -> answer")(question="q")) == ["native"]


def test_an_instance_preference_beats_overrides(lm):
    dspex.configure(overrides={"predict": "dspy"})
    predict = dspex.Predict("question -> answer")
    predict.backend = "native"
    assert backend_of(predict(question="q")) == ["native"]


def test_a_call_preference_beats_the_instance(lm):
    predict = dspex.Predict("question -> answer")
    predict.backend = "native"
    assert backend_of(predict(question="q", backend="dspy")) == ["dspy"]


def test_a_context_preference_applies_only_inside_the_block(lm):
    predict = dspex.Predict("question -> answer")
    with dspex.context(backend="dspy"):
        assert backend_of(predict(question="q")) == ["dspy"]
    assert backend_of(predict(question="q")) == ["native"]


def test_a_backend_given_to_a_composite_program_routes_every_module_inside_it(lm):
    class Program(dspex.Module):
        def __init__(self):
            self.first = dspex.Predict("question -> answer")
            self.second = dspex.ChainOfThought("answer -> verdict")

        def forward(self, question):
            answer = self.first(question=question).answer
            return self.second(answer=answer)

    with dspex.hybrid.record_attempts() as attempts:
        Program()(question="q", backend="dspy")
    assert [(a["type_name"], a["backend"]) for a in attempts] == [
        ("predict", "dspy"),
        ("chain_of_thought", "dspy"),
    ]

    with dspex.hybrid.record_attempts() as attempts:
        Program()(question="q")
    assert [a["backend"] for a in attempts] == ["native", "native"]


def test_a_backend_set_on_a_composite_program_instance_routes_its_modules(lm):
    class Program(dspex.Module):
        def __init__(self):
            self.first = dspex.Predict("question -> answer")

        def forward(self, question):
            return self.first(question=question)

    program = Program()
    program.backend = "dspy"
    with dspex.hybrid.record_attempts() as attempts:
        program(question="q")
    assert [a["backend"] for a in attempts] == ["dspy"]


def test_the_predict_inside_a_chain_of_thought_is_not_routed_again(lm):
    with dspex.hybrid.record_attempts() as attempts:
        dspex.ChainOfThought("question -> answer")(question="q")
    assert [a["type_name"] for a in attempts] == ["chain_of_thought"]


def test_an_input_field_named_backend_is_an_input_not_a_preference(openai_stub, lm):
    predict = dspex.Predict("backend, question -> answer")
    prediction = predict(backend="dspy", question="q")
    assert backend_of(prediction) == ["native"]
    assert (
        "[[ ## backend ## ]]\ndspy" in openai_stub.completion_requests()[-1].json["messages"][-1]["content"]
    )


def test_an_unknown_preference_names_the_valid_ones(lm):
    with pytest.raises(ValueError, match="auto, native, dspy, adaptive; got 'fast'"):
        dspex.Predict("question -> answer")(question="q", backend="fast")


def test_the_module_factory_builds_the_type_on_the_chosen_backend(lm, openai_stub):
    native = dspex.hybrid.module("chain_of_thought", "question -> answer")
    assert type(native) is dspex.ChainOfThought

    wrapped = dspex.hybrid.module("chain_of_thought", "question -> answer", backend="dspy")
    assert isinstance(wrapped, dspex.hybrid.DspyModule)
    prediction = wrapped(question="q")
    assert prediction.answer == "a"
    assert backend_of(prediction) == ["dspy"]


def test_the_optimizer_factory_builds_native_or_dspy_optimizers():
    metric = dspex.answer_exact_match
    assert type(dspex.hybrid.optimizer("bootstrap_few_shot", metric=metric)) is dspex.BootstrapFewShot
    assert isinstance(dspex.hybrid.optimizer("mipro_v2", metric=metric), dspex.hybrid.DspyOptimizer)
    built = dspex.hybrid.optimizer("labeled_few_shot", backend="dspy", k=2)
    assert isinstance(built, dspex.hybrid.DspyOptimizer)
