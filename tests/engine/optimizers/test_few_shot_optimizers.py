"""LabeledFewShot and BootstrapFewShot on the stub server with scripted, deterministic replies."""

from __future__ import annotations

import pytest

import dspex

CAPITALS = {
    "France": "Paris",
    "Italy": "Rome",
    "Spain": "Madrid",
    "Japan": "Tokyo",
    "Peru": "Lima",
    "Chad": "Ndjamena",
}
WRONG = {"Italy", "Peru"}  # the stub answers these two wrongly


def _trainset() -> list[dspex.Example]:
    return [dspex.Example(question=c, answer=city).with_inputs("question") for c, city in CAPITALS.items()]


@pytest.fixture
def capitals_stub(openai_stub):
    def respond(request):
        question = request.json["messages"][-1]["content"].split("\n")[1]
        answer = "Nowhere" if question in WRONG else CAPITALS[question]
        return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"

    openai_stub.responder = respond
    return openai_stub


def test_labeled_few_shot_gives_each_predictor_k_seeded_examples():
    student = dspex.ChainOfThought("question -> answer")
    first = dspex.LabeledFewShot(k=3).compile(student, trainset=_trainset())
    second = dspex.LabeledFewShot(k=3).compile(student, trainset=_trainset())
    assert len(first.predict.demos) == 3
    assert first.dump_state() == second.dump_state()
    assert student.predict.demos == []  # the student itself is untouched


def test_bootstrap_keeps_only_traces_the_metric_accepts(capitals_stub, stub_lm):
    events = []
    optimizer = dspex.BootstrapFewShot(
        metric=dspex.answer_exact_match, max_bootstrapped_demos=3, max_labeled_demos=5, callback=events.append
    )
    with dspex.context(lm=stub_lm):
        compiled = optimizer.compile(dspex.Predict("question -> answer"), trainset=_trainset())
    demos = compiled.demos
    augmented = [d for d in demos if d.get("augmented")]
    assert [d.question for d in augmented] == ["France", "Spain", "Japan"]  # Italy failed the metric
    assert all(d.answer == CAPITALS[d.question] for d in augmented)
    labeled = [d for d in demos if not d.get("augmented")]
    assert len(labeled) == 2 and {d.question for d in labeled} <= {"Italy", "Peru", "Chad"}
    assert [(e.candidate, e.score) for e in events if e.kind == "bootstrap"] == [
        ("example 0", 1.0),
        ("example 1", 0.0),
        ("example 2", 1.0),
        ("example 3", 1.0),
    ]


def test_the_teacher_never_sees_the_example_it_answers_among_its_demos(capitals_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        dspex.BootstrapFewShot(metric=dspex.answer_exact_match, max_bootstrapped_demos=6).compile(
            dspex.Predict("question -> answer"), trainset=_trainset()
        )
    for request in capitals_stub.completion_requests():
        messages = request.json["messages"]
        asked = messages[-1]["content"].split("\n")[1]
        demo_questions = [m["content"].split("\n")[1] for m in messages[1:-1] if m["role"] == "user"]
        assert asked not in demo_questions


def test_bootstrap_is_reproducible(capitals_stub, stub_lm):
    def run():
        optimizer = dspex.BootstrapFewShot(
            metric=dspex.answer_exact_match, max_bootstrapped_demos=2, max_labeled_demos=4
        )
        with dspex.context(lm=stub_lm):
            return optimizer.compile(dspex.Predict("question -> answer"), trainset=_trainset()).dump_state()

    assert run() == run()


def test_bootstrapped_chain_of_thought_demos_carry_the_reasoning(openai_stub, stub_lm):
    openai_stub.set_default(
        "[[ ## reasoning ## ]]\nIt is well known.\n\n[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]"
    )
    trainset = [dspex.Example(question="France", answer="Paris").with_inputs("question")]
    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(metric=dspex.answer_exact_match).compile(
            dspex.ChainOfThought("question -> answer"), trainset=trainset
        )
    (demo,) = compiled.predict.demos
    assert demo.reasoning == "It is well known." and demo.augmented is True
