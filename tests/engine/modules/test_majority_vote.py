"""MajorityVote samples a module in parallel and returns the most common answer."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat


def test_the_most_common_answer_wins_and_every_sample_is_a_step(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(label="Positive"), chat(label="negative"), chat(label="positive."))
    vote = dspex.MajorityVote(dspex.Predict("sentence -> label"), n=3, num_threads=3)

    with dspex.track_steps() as steps:
        pred = vote(sentence="a fine film")

    assert pred.label.lower().startswith("positive")
    requests = openai_stub.completion_requests()
    assert len(requests) == 3 and all(r.json["temperature"] == 1.0 for r in requests)
    assert sorted(s.data["sample"] for s in steps if s.kind == "vote.sample") == [0, 1, 2]
    assert sorted(s.data["outputs"]["label"] for s in steps) == ["Positive", "negative", "positive."]


def test_failed_samples_do_not_vote(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(chat(label="negative"))
    openai_stub.set_default("no fields here")  # the other two samples (and their JSON retries)
    vote = dspex.MajorityVote(dspex.Predict("sentence -> label"), n=3, num_threads=1)
    with dspex.track_steps() as steps:
        assert vote(sentence="dull").label == "negative"
    assert [s.data.get("error") for s in steps].count("failed") == 2


def test_when_every_sample_fails_the_error_is_raised(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.set_default("no fields here")
    with pytest.raises(dspex.AdapterParseError):
        dspex.MajorityVote(dspex.Predict("sentence -> label"), n=2)(sentence="x")


def test_the_vote_field_can_be_chosen(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    openai_stub.script(
        chat(label="positive", reason="kind"),
        chat(label="negative", reason="dull"),
        chat(label="negative", reason="kind"),
    )
    vote = dspex.MajorityVote(dspex.Predict("sentence -> label, reason"), n=3, num_threads=1, field="reason")
    assert vote(sentence="x").reason == "kind"  # though "negative" is the majority label


async def test_it_runs_asynchronously(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    vote = dspex.MajorityVote(dspex.ChainOfThought("question -> answer"), n=3)
    openai_stub.script(
        chat(reasoning="r", answer="4"), chat(reasoning="r", answer="4"), chat(reasoning="r", answer="5")
    )
    assert (await vote.acall(question="2+2?")).answer == "4"


def test_its_predictors_are_the_wrapped_modules_and_state_round_trips(stub_lm):
    inner = dspex.ChainOfThought("question -> answer")
    vote = dspex.MajorityVote(inner, n=3)
    assert [name for name, _ in vote.named_predictors()] == ["module.predict"]
    inner.predict.demos = [dspex.Example(question="q", reasoning="r", answer="a")]
    copy = dspex.MajorityVote(dspex.ChainOfThought("question -> answer"), n=3)
    copy.load_state(vote.dump_state())
    assert copy.module.predict.demos[0].answer == "a"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="n must be at least 1"):
        dspex.MajorityVote(dspex.Predict("q -> a"), n=0)
    with pytest.raises(ValueError, match="num_threads"):
        dspex.MajorityVote(dspex.Predict("q -> a"), n=2, num_threads=0)


@pytest.mark.parametrize("wrap", ["vote", "best_of_n"])
def test_bootstrap_sees_the_winning_calls_as_the_wrapped_modules(openai_stub, stub_lm, wrap):
    dspex.configure(lm=stub_lm)
    openai_stub.set_default(chat(answer="yes"))
    inner = dspex.Predict("question -> answer")
    if wrap == "vote":
        program = dspex.MajorityVote(inner, n=2, num_threads=1)
    else:
        program = dspex.BestOfN(inner, N=2, reward_fn=lambda args, pred: 1.0, threshold=1.0)
    train = [dspex.Example(question=f"q{i}", answer="yes").with_inputs("question") for i in range(3)]

    compiled = dspex.BootstrapFewShot(
        metric=lambda ex, pred, trace=None: ex.answer == pred.answer, max_bootstrapped_demos=2
    ).compile(program, trainset=train)

    demos = compiled.module.demos
    assert [d.question for d in demos if d.get("augmented")] == ["q0", "q1"]
