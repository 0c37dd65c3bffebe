"""COPRO on the stub server: proposals are scripted, and only one instruction makes the task work."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.optimizers.sentiment_stub import SENTENCES, Sentiment, asked, examples, label_metric, reply


def _proposals(*pairs: tuple[str, str]) -> list[str]:
    return [
        f"[[ ## proposed_instruction ## ]]\n{instruction}\n\n"
        f"[[ ## proposed_prefix_for_output_field ## ]]\n{prefix}\n\n[[ ## completed ## ]]"
        for instruction, prefix in pairs
    ]


class Scripted:
    """Proposals from scripted lists; the task is done right only under a 'CAREFULLY' instruction."""

    def __init__(self, first: list[tuple[str, str]], later: list[tuple[str, str]] | None = None):
        self.first = first
        self.later = later or []
        self.proposal_requests: list = []
        self.attempt_requests: list = []

    def __call__(self, request):
        system = request.json["messages"][0]["content"]
        if "basic_instruction" in system:
            self.proposal_requests.append(request)
            return _proposals(*self.first)
        if "attempted_instructions" in system:
            self.attempt_requests.append(request)
            return _proposals(*self.later)
        right = "CAREFULLY" in system
        label = SENTENCES[asked(request)] if right else "positive"
        return reply(label)


@pytest.fixture
def scripted(openai_stub):
    def install(first, later=None):
        script = Scripted(first, later)
        openai_stub.responder = script
        return script

    return install


def test_it_keeps_the_instruction_that_scores_best(scripted, stub_lm):
    scripted([("Be quick.", "Label:"), ("Read CAREFULLY.", "Sentiment:")])
    events = []
    student = dspex.Predict(Sentiment)
    with dspex.context(lm=stub_lm):
        compiled = dspex.COPRO(metric=label_metric, breadth=3, depth=1, callback=events.append).compile(
            student, trainset=examples()
        )
    assert compiled.signature.instructions == "Read CAREFULLY."
    assert compiled.signature.output_fields["label"].prefix == "Sentiment:"
    tried = [(e.details["instruction"], e.score) for e in events if e.kind == "candidate"]
    assert tried == [("Be quick.", 50.0), ("Read CAREFULLY.", 100.0), (Sentiment.instructions, 50.0)]
    assert student.signature.instructions == Sentiment.instructions  # the student is not changed
    assert compiled.candidate_programs[0].score == 100.0
    assert compiled.total_calls == 3


def test_proposals_ask_for_breadth_minus_one_samples_at_init_temperature_with_a_seed(scripted, stub_lm):
    script = scripted([("Be quick.", "Label:")])
    with dspex.context(lm=stub_lm):
        dspex.COPRO(metric=label_metric, breadth=4, depth=1, init_temperature=1.1, seed=7).compile(
            dspex.Predict(Sentiment), trainset=examples()
        )
    (request,) = script.proposal_requests
    assert (request.json["n"], request.json["temperature"], request.json["seed"]) == (3, 1.1, 7)
    assert Sentiment.instructions in request.json["messages"][-1]["content"]


def test_later_rounds_propose_from_the_attempts_and_their_scores(scripted, stub_lm):
    script = scripted(
        [("Be quick.", "Label:")], later=[("Go CAREFULLY.", "Answer:"), ("Be quick.", "Label:")]
    )
    with dspex.context(lm=stub_lm):
        compiled = dspex.COPRO(metric=label_metric, breadth=2, depth=2).compile(
            dspex.Predict(Sentiment), trainset=examples()
        )
    (request,) = script.attempt_requests
    assert request.json["n"] == 2
    attempts = request.json["messages"][-1]["content"]
    assert "Instruction #1: " in attempts and "Resulting Score #2: 50.0" in attempts
    assert compiled.signature.instructions == "Go CAREFULLY."
    # "Be quick." was proposed twice but scored once; the basic instruction once: 3 evaluations.
    assert compiled.total_calls == 3
    assert compiled.candidate_programs[0].instruction == "Go CAREFULLY."


def test_the_prompt_model_writes_the_proposals_and_the_task_lm_is_scored(scripted, make_stub_lm, openai_stub):
    scripted([("Read CAREFULLY.", "Label:")])
    copro = dspex.COPRO(
        metric=label_metric, breadth=2, depth=1, prompt_model=make_stub_lm(model="openai/writer")
    )
    with dspex.context(lm=make_stub_lm()):
        copro.compile(dspex.Predict(Sentiment), trainset=examples())
    models = [r.json["model"] for r in openai_stub.completion_requests()]
    assert models[0] == "writer" and set(models[1:]) == {"stub-model"}


def test_every_predictor_gets_its_own_instruction(scripted, stub_lm):
    scripted([("Read CAREFULLY.", "Label:")])

    class Two(dspex.Module):
        def __init__(self):
            self.first = dspex.Predict(Sentiment)
            self.second = dspex.Predict(Sentiment)

        def forward(self, sentence):
            self.first(sentence=sentence)
            return self.second(sentence=sentence)

    with dspex.context(lm=stub_lm):
        compiled = dspex.COPRO(metric=label_metric, breadth=2, depth=1, track_stats=True).compile(
            Two(), trainset=examples()
        )
    assert compiled.second.signature.instructions == "Read CAREFULLY."
    assert set(compiled.results_latest) == {"first", "second"}
    assert compiled.results_best["second"]["max"] == [100.0]


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="breadth"):
        dspex.COPRO(metric=label_metric, breadth=1)
    with pytest.raises(ValueError, match="trainset is empty"):
        dspex.COPRO(metric=label_metric).compile(dspex.Predict(Sentiment), trainset=[])
