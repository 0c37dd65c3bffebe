"""balance_by: demos spread over the values of a label field (an option DSPy does not have)."""

from __future__ import annotations

import random

import pytest

import dspex
from dspex.optimizers.balance import interleave_by, stratified_sample
from tests.engine.optimizers.sentiment_stub import SENTENCES, Sentiment, asked, examples, label_metric, reply

POSITIVES_FIRST = examples(sorted(SENTENCES, key=lambda s: SENTENCES[s] != "positive"))


@pytest.fixture
def biased_stub(openai_stub):
    """A teacher that says 'positive' to everything."""
    openai_stub.set_default(reply("positive"))
    return openai_stub


@pytest.fixture
def right_stub(openai_stub):
    openai_stub.responder = lambda request: reply(SENTENCES[asked(request)])
    return openai_stub


def test_interleaving_takes_each_value_in_turn_and_keeps_order_within_a_value():
    items = ["p1", "p2", "p3", "n1", "n2", "x1"]
    assert interleave_by(items, lambda s: s[0]) == ["p1", "n1", "x1", "p2", "n2", "p3"]


def test_a_stratified_sample_is_even_across_values_and_seeded():
    items = [f"p{i}" for i in range(10)] + ["n1", "n2"]
    sample = stratified_sample(items, 4, lambda s: s[0], random.Random(0))
    assert [s[0] for s in sample] == ["p", "n", "p", "n"]
    assert sample == stratified_sample(items, 4, lambda s: s[0], random.Random(0))


def test_by_default_bootstrapping_follows_the_trainset_order_as_dspy_does(right_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(
            metric=label_metric, max_bootstrapped_demos=4, max_labeled_demos=4
        ).compile(dspex.Predict(Sentiment), trainset=POSITIVES_FIRST)
    assert [d.label for d in compiled.demos] == ["positive"] * 4


def test_balanced_bootstrapping_alternates_labels(right_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(
            metric=label_metric, max_bootstrapped_demos=4, max_labeled_demos=4, balance_by="label"
        ).compile(dspex.Predict(Sentiment), trainset=POSITIVES_FIRST)
    assert [d.label for d in compiled.demos] == ["positive", "negative", "positive", "negative"]
    assert all(d.augmented for d in compiled.demos)


def test_a_biased_teacher_bootstraps_only_its_share_and_labeled_demos_fill_the_rest(biased_stub, stub_lm):
    events = []
    with dspex.context(lm=stub_lm):
        compiled = dspex.BootstrapFewShot(
            metric=label_metric,
            max_bootstrapped_demos=4,
            max_labeled_demos=6,
            balance_by="label",
            callback=events.append,
        ).compile(dspex.Predict(Sentiment), trainset=POSITIVES_FIRST)
    augmented = [d for d in compiled.demos if d.get("augmented")]
    labeled = [d for d in compiled.demos if not d.get("augmented")]
    assert [d.label for d in augmented] == ["positive", "positive"]  # its share: 4 demos / 2 labels
    assert sorted(d.label for d in labeled) == ["negative"] * 2 + ["positive"] * 2
    # Once the positive share was full, only negatives were tried (all four, all failing).
    tried = [int(e.candidate.split()[1]) for e in events if e.kind == "bootstrap"]
    assert [POSITIVES_FIRST[i].label for i in tried] == ["positive", "negative"] * 2 + ["negative"] * 2


def test_the_teachers_labeled_demos_alternate_labels(biased_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        dspex.BootstrapFewShot(
            metric=label_metric, max_bootstrapped_demos=2, max_labeled_demos=4, balance_by="label"
        ).compile(dspex.Predict(Sentiment), trainset=POSITIVES_FIRST)
    checked = 0
    for request in biased_stub.completion_requests():
        messages = request.json["messages"]
        demo_labels = [m["content"].split("\n")[1] for m in messages[1:-1] if m["role"] == "assistant"]
        if len(demo_labels) == 4:  # (the teacher drops the demo it is being asked about)
            assert demo_labels == ["positive", "negative", "positive", "negative"]
            checked += 1
    assert checked >= 2


def test_labeled_few_shot_can_balance_its_sample():
    student = dspex.Predict(Sentiment)
    compiled = dspex.LabeledFewShot(k=4, balance_by="label").compile(student, trainset=POSITIVES_FIRST)
    assert [d.label for d in compiled.demos] == ["positive", "negative", "positive", "negative"]
    unsampled = dspex.LabeledFewShot(k=4, sample=False, balance_by="label").compile(
        student, trainset=POSITIVES_FIRST
    )
    assert [d.sentence for d in unsampled.demos] == ["a gem", "a mess", "a joy", "dull"]


def test_random_search_hands_balance_by_to_its_demo_candidates(right_stub, stub_lm):
    with dspex.context(lm=stub_lm):
        best = dspex.BootstrapFewShotWithRandomSearch(
            metric=label_metric,
            max_bootstrapped_demos=4,
            max_labeled_demos=4,
            num_candidate_programs=2,
            balance_by="label",
        ).compile(dspex.Predict(Sentiment), trainset=POSITIVES_FIRST, restrict=[-2, -1, 0, 1])
    assert len(best.candidate_programs) == 4
    for candidate in best.candidate_programs:
        labels = [d.label for d in candidate.program.demos]
        assert abs(labels.count("positive") - labels.count("negative")) <= 1, labels
