"""``manage.py dspex_demo`` against the stub server: rows are created once and reused after."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset, DatasetVersion
from dspex.data import load_sst2
from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY_ENV

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(openai_stub, stub_lm_config):
    """Run the demo on the stub (which always answers "positive"); returns stdout. The stub is the
    allow-listed endpoint "stub"; --base-url/--api-key-env name exactly its URL and variable."""
    openai_stub.responder = lambda request: reply(label="positive")

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "dspex_demo",
            "--model",
            "openai/stub-model",
            "--base-url",
            openai_stub.base_url,
            "--api-key-env",
            STUB_KEY_ENV,
            *args,
            stdout=out,
            stderr=err,
        )
        return out.getvalue()

    return run


def test_it_creates_the_rows_and_classifies_dev_sentences(demo, openai_stub):
    out = demo("--n", "5")
    gold = [example.label for example in load_sst2("dev", limit=5)]
    expected = gold.count("positive")
    assert f"accuracy {expected}/5 = {expected / 5:.0%}" in out
    assert "5 executions (0 failed), 5 LM calls (0 from the response cache)" in out
    signature = Signature.objects.get()
    assert signature.spec == 'sentence -> label: Literal["positive", "negative"]'
    program = Program.objects.get()
    assert program.lm_config["model"] == "openai/stub-model"
    assert program.current_version.number == 2  # version 1 is the fresh module
    assert len(program.current_version.state["demos"]) == 4
    version = DatasetVersion.objects.get()
    assert (version.train_count, version.dev_count) == (200, 872)
    assert Execution.objects.filter(status=Execution.Status.SUCCEEDED).count() == 5
    # The few-shot demos are in the prompt the LM received.
    prompt = openai_stub.completion_requests()[0].json["messages"]
    assert sum(m["role"] == "assistant" for m in prompt) == 4
    # Each line: the prediction against the gold label.
    first = load_sst2("dev", limit=1)[0]
    assert f"  1. {'✓' if first.label == 'positive' else '✗'} positive  (gold {first.label}" in out
    assert f"/admin/programs/program/{program.pk}/change/" in out


def test_running_it_again_reuses_every_row(demo):
    demo("--n", "3")
    out = demo("--n", "3")
    assert Signature.objects.count() == Program.objects.count() == Dataset.objects.count() == 1
    assert ProgramVersion.objects.count() == 2
    assert DatasetVersion.objects.count() == 1
    assert Execution.objects.count() == 6
    assert "version 2 (reused)" in out and "imported now" not in out
    assert "3 LM calls (3 from the response cache)" in out  # the same prompts again


def test_another_model_updates_the_program_but_keeps_its_version(demo, openai_stub):
    demo("--n", "1")
    openai_stub.responder = lambda request: reply(label="negative")
    call_command(
        "dspex_demo",
        "--n",
        "1",
        "--model",
        "openai/stub-model-2",
        "--endpoint",
        "stub",
        "--no-cache",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    program = Program.objects.get()
    assert program.lm_config["model"] == "openai/stub-model-2"
    assert program.lm_config["params"] == {"cache": False}
    assert ProgramVersion.objects.count() == 2
    assert LMCallTrace.objects.order_by("-id").first().model == "openai/stub-model-2"


def test_more_demos_make_a_new_version(demo):
    demo("--n", "1")
    demo("--n", "1", "--demos", "2")
    program = Program.objects.get()
    assert program.current_version.number == 3
    assert len(program.current_version.state["demos"]) == 2


def test_unparseable_answers_are_shown_as_failures(demo, openai_stub):
    demo("--n", "1")
    openai_stub.responder = lambda request: "I cannot decide."
    with pytest.raises(CommandError, match="all 2 executions failed"):
        demo("--n", "2", "--no-cache")


def test_n_must_be_within_the_dev_set(demo):
    with pytest.raises(CommandError, match="--n must be between 1 and 872"):
        demo("--n", "0")


def test_the_admin_links_it_prints_work(demo, admin_client):
    out = demo("--n", "2")
    urls = [line.split()[0] for line in out.splitlines() if line.strip().startswith("http://127.0.0.1:8000/")]
    assert len(urls) == 2
    for url in urls:
        response = admin_client.get(url.removeprefix("http://127.0.0.1:8000"))
        assert response.status_code == 200, url
    executions = admin_client.get(urls[1].removeprefix("http://127.0.0.1:8000"))
    assert executions.context["cl"].result_count == 2


def test_optimize_shows_the_improvement_over_zero_shot(demo, openai_stub):
    """The stub answers right only when the prompt carries demos: zero-shot 0%, optimized 100%."""
    gold = {e.sentence: e.label for split in ("train", "dev") for e in load_sst2(split)}

    def respond(request):
        messages = request.json["messages"]
        sentence = messages[-1]["content"].split("\n")[1]
        has_demos = any(m["role"] == "assistant" for m in messages)
        return reply(label=gold[sentence] if has_demos else "unsure")

    openai_stub.responder = respond  # replaces the fixture's always-"positive" one
    text = demo("--n", "6", "--optimize")

    assert "zero-shot 0% -> optimized 100% (+100%); 6 improved, 0 regressed, 0 unchanged" in text
    optimized = Program.objects.get(name="sst2-sentiment-optimized")
    demos = optimized.current_version.state["demos"]
    assert len(demos) == 4 and {d["label"] for d in demos} == {"positive", "negative"}  # balanced
    from evaluations.models import Evaluation
    from experiments.models import Experiment

    experiment = Experiment.objects.get()
    assert experiment.status == "succeeded" and experiment.best_score == 100.0
    assert experiment.dataset_version.dataset.name == "sst2-optimize"
    before, after = Evaluation.objects.order_by("pk")
    assert (before.score, after.score) == (0.0, 1.0)
    assert before.program_version.state["demos"] == [] and after.program_version == optimized.current_version
    assert f"/admin/evaluations/evaluation/{after.pk}/compare/?other={before.pk}" in text
