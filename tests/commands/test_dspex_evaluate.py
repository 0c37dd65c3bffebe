"""``manage.py dspex_evaluate``: an evaluation run here with a progress bar and a summary, or
queued with ``--background``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from core import terminal_progress as _progress
from evaluations.models import Evaluation
from programs.services import program_version_create
from tests.evaluations.helpers import answering, questions_version

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("dspex_evaluate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def questions(user, qa_program):
    return questions_version(user, qa_program.signature, 12)


def test_it_runs_the_evaluation_and_prints_the_scores(openai_stub, qa_program, questions):
    answering(openai_stub, wrong={"q3"}, fail={"q7"})
    out, err = _run("--program", "qa", "--dataset", "questions", "--metric", "exact_match", "--metric", "f1")
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "succeeded"
    assert evaluation.results.count() == 12
    assert evaluation.owner == qa_program.owner
    assert out.startswith(
        f"Evaluation {evaluation.pk} (succeeded) of qa v1 on questions v1/dev: 12/12 examples, 1 failed | "
        "exact_match 83.3%, f1 83.3% | "
    )
    assert "  #7 failed: LM call failed (ServerError)" in out
    assert err.startswith("evaluating [") and " 12/12 " in err  # off a terminal: one final bar line


def test_the_progress_bar_follows_the_rows_on_a_terminal(openai_stub, qa_program, questions, monkeypatch):
    answering(openai_stub)
    drawn = []
    real_update = _progress.Progress.update

    def update(bar, done):
        drawn.append(done)
        real_update(bar, done)

    monkeypatch.setattr(_progress.Progress, "update", update)
    _run("--program", "qa", "--dataset", "questions", "--concurrency", "1")
    assert drawn[:12] == list(range(1, 13))  # one update per written batch (every example here)


def test_limit_version_and_split_are_honoured(openai_stub, qa_program, questions):
    program_version_create(program=qa_program, state=None)
    answering(openai_stub)
    _run("--program", "qa", "--version", "1", "--dataset", "questions", "--split", "dev", "--limit", "3")
    evaluation = Evaluation.objects.get()
    assert (evaluation.program_version.number, evaluation.examples_total, evaluation.results.count()) == (
        1,
        3,
        3,
    )


def test_a_json_metric_spec_is_accepted(openai_stub, qa_program, questions):
    answering(openai_stub)
    _run(
        "--program",
        "qa",
        "--dataset",
        "questions",
        "--limit",
        "2",
        "--metric",
        '{"name": "f1", "field": "answer"}',
    )
    assert Evaluation.objects.get().metric_scores == {"f1": 1.0}


def test_background_queues_it(openai_stub, qa_program, questions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        out, _ = _run("--program", "qa", "--dataset", "questions", "--background")
    evaluation = Evaluation.objects.get()
    assert out.startswith(f"Evaluation {evaluation.pk} of qa v1 on questions v1/dev queued (12 examples)")
    assert evaluation.status == "pending" and len(callbacks) == 1
    assert openai_stub.completion_requests() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "nope", "--dataset", "questions"], "no program named 'nope'"),
        (["--program", "qa", "--dataset", "nope"], "no dataset named 'nope'"),
        (["--program", "qa", "--version", "9", "--dataset", "questions"], "program 'qa' has no version 9"),
        (
            ["--program", "qa", "--dataset", "questions", "--metric", "acc"],
            "metrics[0]: unknown metric 'acc'",
        ),
        (
            ["--program", "qa", "--dataset", "questions", "--split", "test"],
            "questions v1 has no test examples",
        ),
        (["--program", "qa", "--dataset", "questions", "--metric", "{bad"], "not valid JSON"),
    ],
)
def test_bad_arguments_are_clear_errors(openai_stub, qa_program, questions, args, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _run(*args)
    assert not Evaluation.objects.exists()


def test_an_evaluation_that_fails_is_a_command_error(openai_stub, qa_program, questions):
    openai_stub.responder = lambda request: {"status": 401}
    with pytest.raises(CommandError, match="failed: every example failed"):
        _run("--program", "qa", "--dataset", "questions", "--limit", "2")
