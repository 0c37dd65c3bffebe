"""BootstrapFewShotWithRandomSearch on the stub server: DSPy's candidates, scored on a valset."""

from __future__ import annotations

import random

import pytest

import dspex
from tests.engine.optimizers.sentiment_stub import (
    Sentiment,
    asked,
    demo_sentences,
    examples,
    label_metric,
    reply,
)


@pytest.fixture
def demo_hungry_stub(openai_stub):
    """Right about a sentence only when the prompt holds at least two demos; else 'positive'."""
    from tests.engine.optimizers.sentiment_stub import SENTENCES

    def respond(request):
        if len(demo_sentences(request)) >= 2:
            return reply(SENTENCES[asked(request)])
        return reply("positive")

    openai_stub.responder = respond
    return openai_stub


def _search(**options) -> dspex.BootstrapFewShotWithRandomSearch:
    settings = {"metric": label_metric, "max_bootstrapped_demos": 3, "max_labeled_demos": 3}
    settings.update(options)
    return dspex.BootstrapFewShotWithRandomSearch(**settings)


def test_it_tries_dspys_candidates_in_order_and_keeps_the_best(demo_hungry_stub, stub_lm):
    events = []
    search = _search(num_candidate_programs=3, callback=events.append)
    with dspex.context(lm=stub_lm):
        best = search.compile(dspex.Predict(Sentiment), trainset=examples(), valset=examples())
    tried = [e for e in events if e.kind == "candidate"]
    assert [e.candidate for e in tried] == ["seed -3", "seed -2", "seed -1", "seed 0", "seed 1", "seed 2"]
    assert [e.details["strategy"] for e in tried[:3]] == [
        "zero-shot",
        "labeled only",
        "bootstrap, trainset order",
    ]
    assert tried[0].score == 50.0  # zero-shot: 'positive' for everything
    assert tried[1].score == 100.0  # three labeled demos
    assert best.candidate_scores == {e.details["seed"]: e.score for e in tried}
    assert best.candidate_scores[-3] == 50.0 and max(best.candidate_scores.values()) == 100.0
    scores = [c.score for c in best.candidate_programs]
    assert scores == sorted(scores, reverse=True) and len(scores) == 6
    assert best is best.candidate_programs[0].program
    assert len(best.demos) >= 2


def test_shuffled_candidates_use_dspys_seeded_shuffle_and_demo_count(demo_hungry_stub, stub_lm):
    trainset = examples()
    with dspex.context(lm=stub_lm):
        best = _search(num_candidate_programs=4, max_labeled_demos=0).compile(
            dspex.Predict(Sentiment), trainset=trainset, valset=trainset[:2]
        )
    by_seed = {c.seed: c for c in best.candidate_programs}
    for seed in range(4):
        shuffled = list(trainset)
        random.Random(seed).shuffle(shuffled)
        size = random.Random(seed).randint(1, 3)
        program = by_seed[seed].program
        assert by_seed[seed].kind == f"bootstrap, shuffled, {size} demos"
        # Without labeled demos the teacher always says 'positive': the first positives pass.
        expected = [e.sentence for e in shuffled if e.label == "positive"][:size]
        assert [d.sentence for d in program.demos] == expected


def test_another_seed_gives_other_shuffles(demo_hungry_stub, stub_lm):
    def demos(seed):
        with dspex.context(lm=stub_lm):
            best = _search(num_candidate_programs=2, seed=seed, max_labeled_demos=0).compile(
                dspex.Predict(Sentiment), trainset=examples(), valset=examples()[:1], restrict=[0, 1]
            )
        return [[d.sentence for d in c.program.demos] for c in best.candidate_programs]

    assert demos(0) == demos(0)
    assert demos(0) != demos(100)


def test_stop_at_score_ends_the_search(demo_hungry_stub, stub_lm):
    events = []
    with dspex.context(lm=stub_lm):
        best = _search(num_candidate_programs=5, stop_at_score=100.0, callback=events.append).compile(
            dspex.Predict(Sentiment), trainset=examples()
        )
    assert [e.candidate for e in events if e.kind == "candidate"] == ["seed -3", "seed -2"]
    assert sorted(best.candidate_scores) == [-3, -2]


def test_restrict_runs_only_the_named_seeds_and_rejects_unknown_ones(demo_hungry_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        best = _search(num_candidate_programs=2).compile(
            dspex.Predict(Sentiment), trainset=examples(), restrict=[-3, 1]
        )
        assert sorted(best.candidate_scores) == [-3, 1]
        with pytest.raises(ValueError, match="matches no candidate seed"):
            _search(num_candidate_programs=2).compile(
                dspex.Predict(Sentiment), trainset=examples(), restrict=[7]
            )


def test_each_valset_evaluation_runs_examples_concurrently(openai_stub, stub_lm):
    from tests.engine.optimizers.sentiment_stub import SENTENCES

    openai_stub.set_default(reply("positive"), delay=0.05)
    in_flight = {"now": 0, "peak": 0}

    class Counting(dspex.Module):
        def __init__(self):
            self.predict = dspex.Predict(Sentiment)

        async def aforward(self, **kwargs):
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
            try:
                return await self.predict.acall(**kwargs)
            finally:
                in_flight["now"] -= 1

        def forward(self, **kwargs):
            return self.predict(**kwargs)

    with dspex.context(lm=stub_lm):
        _search(num_candidate_programs=0, num_threads=4).compile(
            Counting(), trainset=examples(), valset=examples(list(SENTENCES)), restrict=[-3]
        )
    assert in_flight["peak"] == 4


def test_an_empty_trainset_is_refused():
    with pytest.raises(ValueError, match="trainset is empty"):
        _search().compile(dspex.Predict(Sentiment), trainset=[])
