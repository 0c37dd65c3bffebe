"""A pipeline is an ordinary program to optimizers: named predictors, JSON state, BootstrapFewShot."""

from __future__ import annotations

import json

import dspex
from tests.engine.pipelines.helpers import first_output, reply, sent_inputs

CAPITALS = {"France": "Paris", "Italy": "Rome", "Spain": "Madrid", "Peru": "Lima"}
SPEC = {
    "inputs": ["question"],
    "outputs": ["answer"],
    "steps": [
        {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
        {
            "kind": "conditional",
            "id": "routed",
            "if": "len(draft.draft) > 0",
            "then": [{"id": "final", "module": "predict", "signature": "question, draft -> answer"}],
            "else": [{"id": "fallback", "module": "predict", "signature": "question -> answer"}],
        },
    ],
}


def _trainset() -> list[dspex.Example]:
    return [dspex.Example(question=c, answer=city).with_inputs("question") for c, city in CAPITALS.items()]


def _respond(request):
    question = sent_inputs(request)["question"]
    if first_output(request) == "reasoning":
        return reply(reasoning=f"Think about {question}.", draft=f"maybe {CAPITALS[question]}")
    return reply(answer="Nowhere" if question == "Italy" else CAPITALS[question])


def test_predictors_are_named_after_step_ids():
    names = [name for name, _ in dspex.Pipeline(SPEC).named_predictors()]
    assert names == ["draft.predict", "final", "fallback"]


def test_state_round_trips_demos_through_json(tmp_path):
    pipeline = dspex.Pipeline(SPEC)
    pipeline.modules["final"].demos = [dspex.Example(question="Chad", draft="N'Djamena?", answer="N'Djamena")]
    path = tmp_path / "pipeline.json"

    pipeline.save(path)
    restored = dspex.Pipeline(SPEC).load(path)

    assert restored.dump_state() == pipeline.dump_state()
    assert restored.modules["final"].demos[0].answer == "N'Djamena"
    assert set(json.loads(path.read_text())) == {"draft.predict", "final", "fallback", "metadata"}


def test_loading_state_of_another_pipeline_is_refused():
    other = dspex.Pipeline(
        {**SPEC, "steps": [{"id": "x", "module": "predict", "signature": "question -> answer"}]}
    )
    try:
        dspex.Pipeline(SPEC).load_state(other.dump_state())
    except ValueError as error:
        assert "['x']" in str(error)
    else:
        raise AssertionError("expected a ValueError")


def test_bootstrap_few_shot_compiles_a_pipeline(openai_stub, stub_lm):
    openai_stub.responder = _respond
    student = dspex.Pipeline(SPEC)

    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(
            metric=dspex.answer_exact_match, max_bootstrapped_demos=3, max_labeled_demos=3
        ).compile(student, trainset=_trainset())

    assert isinstance(compiled, dspex.Pipeline) and compiled is not student
    assert student.modules["final"].demos == []  # the student is untouched
    draft_demos = compiled.modules["draft"].predict.demos
    final_demos = compiled.modules["final"].demos
    assert [d.question for d in draft_demos] == ["France", "Spain", "Peru"]  # Italy failed the metric
    assert draft_demos[0].reasoning == "Think about France." and draft_demos[0].augmented is True
    assert [(d.question, d.draft, d.answer) for d in final_demos] == [
        ("France", "maybe Paris", "Paris"),
        ("Spain", "maybe Madrid", "Madrid"),
        ("Peru", "maybe Lima", "Lima"),
    ]
    assert compiled.modules["fallback"].demos[0].get("augmented") is None  # labeled, never ran

    openai_stub.reset()
    openai_stub.responder = _respond
    with dspex.context(lm=stub_lm):
        assert compiled(question="France").answer == "Paris"
    final_request = next(r for r in openai_stub.completion_requests() if first_output(r) == "answer")
    assert "maybe Madrid" in json.dumps(final_request.json["messages"])  # demos are in the prompt


def test_a_compiled_pipeline_saves_and_loads_its_demos(openai_stub, stub_lm, tmp_path):
    openai_stub.responder = _respond
    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(metric=dspex.answer_exact_match, max_bootstrapped_demos=2).compile(
            dspex.Pipeline(SPEC), trainset=_trainset()
        )
    compiled.save(tmp_path / "compiled.json")

    fresh = dspex.Pipeline(SPEC).load(tmp_path / "compiled.json")

    assert fresh.dump_state() == compiled.dump_state()
    assert len(fresh.modules["final"].demos) == len(compiled.modules["final"].demos) > 0
