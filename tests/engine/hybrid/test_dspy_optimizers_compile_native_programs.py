"""MIPROv2, GEPA and SIMBA compile dspex programs through the bridge on scripted stub replies; the
result is a native program that runs natively with what dspy learned. Progress arrives as
TrialEvents (start, one per dspy evaluation, end with the score)."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.hybrid.helpers import INSTRUCTION, task_responder

pytestmark = pytest.mark.dspy

ANSWERS = {f"{a}+{b}?": str(a + b) for a in range(1, 5) for b in range(1, 5)}
QUESTIONS = list(ANSWERS)
TRAIN = [dspex.Example(question=q, answer=ANSWERS[q]).with_inputs("question") for q in QUESTIONS[:8]]
VAL = [dspex.Example(question=q, answer=ANSWERS[q]).with_inputs("question") for q in QUESTIONS[8:12]]


def exact(example, prediction, trace=None):
    return float(example.answer == prediction.answer)


class TwoStep(dspex.Module):
    """A composite program: dspy optimizes its predictor through a stand-in."""

    def __init__(self):
        self.solve = dspex.Predict("question -> answer")

    def forward(self, question):
        return self.solve(question=question)


@pytest.fixture
def lm(openai_stub, make_stub_lm):
    openai_stub.responder = task_responder(ANSWERS, known=QUESTIONS[:8:2])
    lm = make_stub_lm()
    dspex.configure(lm=lm)
    return lm


def compile_and_run(name, student, params, openai_stub, **kwargs):
    events = []
    compiled = dspex.hybrid.compile_with_dspy(
        name, student=student, trainset=TRAIN, metric=exact, params=params, callback=events.append, **kwargs
    )
    openai_stub.requests.clear()
    prediction = compiled(question="3+3?")
    return compiled, events, prediction, openai_stub.completion_requests()[-1].json["messages"]


def assert_runs_natively(prediction):
    assert [a["backend"] for a in dspex.hybrid.attempts_of(prediction)] == ["native"]
    assert prediction.answer == "6"


def test_mipro_v2_finds_the_better_instruction(lm, openai_stub, events):
    params = {"auto": None, "num_candidates": 2, "num_trials": 2, "max_bootstrapped_demos": 0,
              "max_labeled_demos": 0, "num_threads": 1, "minibatch": False}  # fmt: skip
    student = dspex.ChainOfThought("question -> answer")

    compiled, trials, prediction, messages = compile_and_run(
        "mipro_v2", student, params, openai_stub, valset=VAL
    )

    assert type(compiled) is dspex.ChainOfThought and compiled is not student
    assert compiled.predict.signature.instructions == INSTRUCTION
    assert student.predict.signature.instructions != INSTRUCTION  # the student is not changed
    assert INSTRUCTION in messages[0]["content"]
    assert_runs_natively(prediction)
    assert trials[0].kind == "start" and trials[-1].kind == "end"
    assert trials[-1].score == 100.0 and trials[-1].optimizer == "mipro_v2"
    scores = [e.score for e in trials if e.kind == "trial"]
    assert 0.0 in scores and 100.0 in scores
    assert [(e.operation, e.backend, e.type_name, e.kind) for e in events if e.operation == "compile"] == [
        ("compile", "dspy", "mipro_v2", "start"),
        ("compile", "dspy", "mipro_v2", "stop"),
    ]


def test_gepa_reflects_with_a_reflection_lm_and_rewrites_the_instruction(lm, openai_stub):
    params = {"max_metric_calls": 20, "reflection_lm": lm, "num_threads": 1, "reflection_minibatch_size": 2}

    compiled, trials, prediction, messages = compile_and_run(
        "gepa", TwoStep(), params, openai_stub, valset=VAL
    )

    assert type(compiled) is TwoStep
    assert compiled.solve.signature.instructions == INSTRUCTION
    assert INSTRUCTION in messages[0]["content"]
    assert_runs_natively(prediction)
    assert trials[-1].kind == "end" and trials[-1].score == 1.0


def test_simba_adds_a_successful_trajectory_as_a_demo(lm, openai_stub):
    params = {"bsize": 2, "num_candidates": 2, "max_steps": 1, "max_demos": 1, "num_threads": 1}

    compiled, trials, prediction, messages = compile_and_run("simba", TwoStep(), params, openai_stub)

    (demo,) = compiled.solve.demos
    assert demo.answer == ANSWERS[demo.question]
    assert demo.question in messages[1]["content"]  # the demo is sent by the native program
    assert_runs_natively(prediction)
    assert trials[0].kind == "start" and trials[-1].kind == "end" and trials[-1].score == 1.0


def test_the_optimizer_factory_runs_dspy_optimizers_with_the_native_api(lm, openai_stub):
    optimizer = dspex.hybrid.optimizer("labeled_few_shot", backend="dspy", k=2)
    compiled = optimizer.compile(TwoStep(), trainset=TRAIN)
    assert len(compiled.solve.demos) == 2
    assert all(isinstance(d, dspex.Example) for d in compiled.solve.demos)


def test_unknown_parameters_name_the_valid_ones(lm):
    with pytest.raises(TypeError, match=r"SIMBA has no parameter 'num_trials'; valid parameters: .*bsize"):
        dspex.hybrid.compile_with_dspy("simba", student=TwoStep(), trainset=TRAIN, metric=exact,
                                       params={"num_trials": 3})  # fmt: skip


def test_a_failing_compile_reports_the_error_and_raises(lm, events):
    trials = []
    with pytest.raises(Exception, match="reflection"):
        dspex.hybrid.compile_with_dspy("gepa", student=TwoStep(), trainset=TRAIN, metric=exact,
                                       params={"max_metric_calls": 5}, callback=trials.append)  # fmt: skip
    assert trials[-1].kind == "end" and "error" in trials[-1].details
    assert events[-1].kind == "exception" and events[-1].operation == "compile"
    assert dspex.hybrid.stats()["types"]["compile"]["gepa"]["dspy"]["errors"] == 1


def test_an_ensemble_of_native_programs_comes_back_as_a_dspy_module(lm, openai_stub):
    import dspy

    members = [dspex.Predict("question -> answer"), TwoStep()]
    ensemble = dspex.hybrid.compile_with_dspy(
        "ensemble", student=members, trainset=[], params={"reduce_fn": dspy.majority}
    )

    assert isinstance(ensemble, dspex.hybrid.DspyModule)
    assert ensemble(question="1+1?").answer == "2"  # known question: both members answer it
    assert len(openai_stub.completion_requests()) == 2


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("copro", {"breadth": 2, "depth": 1, "init_temperature": 1.0}),
        (
            "bootstrap_few_shot_with_random_search",
            {
                "num_candidate_programs": 2,
                "max_bootstrapped_demos": 1,
                "max_labeled_demos": 1,
                "num_threads": 1,
            },
        ),
    ],
)
def test_copro_and_random_search_also_compile_native_programs(name, params, lm, openai_stub):
    compiled, trials, prediction, _ = compile_and_run(
        name, dspex.ChainOfThought("question -> answer"), params, openai_stub
    )
    assert type(compiled) is dspex.ChainOfThought
    assert compiled.predict.signature.instructions == INSTRUCTION or compiled.predict.demos
    assert_runs_natively(prediction)
    assert trials[-1].kind == "end" and trials[-1].score == 100.0
