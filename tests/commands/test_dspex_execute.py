"""``manage.py dspex_execute``: one run from --input, or many over a dataset with a summary."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from datasets.services import dataset_create, dataset_import
from programs.models import Execution
from programs.services import program_create, program_version_create, signature_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("dspex_execute", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def capitals(qa_signature, user):
    dataset = dataset_create(name="capitals", signature=qa_signature, owner=user)
    lines = [
        {"question": "Capital of France?", "answer": "Paris", "split": "dev"},
        {"question": "Capital of Italy?", "answer": "Rome", "split": "dev"},
        {"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"},
        {"question": "Capital of Peru?", "answer": "Lima", "split": "train"},
    ]
    dataset_import(dataset=dataset, file="\n".join(json.dumps(line) for line in lines).encode())
    return dataset


def test_it_runs_the_program_on_the_inputs_and_prints_the_outputs(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    out, _ = _run("qa", "--input", "question=Capital of France?")
    execution = Execution.objects.get()
    assert execution.inputs == {"question": "Capital of France?"}
    assert execution.status == Execution.Status.SUCCEEDED
    assert f"Execution {execution.pk} (succeeded) of qa v1: 1 LM call" in out
    assert "  answer: Paris" in out


def test_non_text_inputs_are_read_as_json(openai_stub, user, stub_lm_config):
    signature = signature_create(name="sum", spec="numbers: list[int] -> total: int", owner=user)
    program_create(name="sum", signature=signature, lm_config=stub_lm_config, owner=user)
    openai_stub.script(reply(total="6"))
    out, _ = _run("sum", "--input", "numbers=[1, 2, 3]")
    assert Execution.objects.get().inputs == {"numbers": [1, 2, 3]}
    assert "  total: 6" in out


def test_a_bad_input_names_the_field_and_nothing_runs(openai_stub, qa_program):
    with pytest.raises(CommandError, match="invalid inputs: query: unknown input field `query`"):
        _run("qa", "--input", "query=x")
    with pytest.raises(CommandError, match="expected FIELD=VALUE"):
        _run("qa", "--input", "question")
    assert not Execution.objects.exists()
    assert openai_stub.completion_requests() == []


def test_a_failed_run_is_recorded_and_the_command_fails(openai_stub, qa_program):
    openai_stub.script({"status": 400})
    with pytest.raises(CommandError, match="BadRequestError"):
        _run("qa", "--input", "question=q")
    assert Execution.objects.get().status == Execution.Status.FAILED


def test_an_older_version_can_be_run(openai_stub, qa_program):
    program_version_create(program=qa_program, state=None, note="v2")
    openai_stub.script(reply(answer="Paris"))
    _run("qa", "--program-version", "1", "--input", "question=q")
    assert Execution.objects.get().program_version.number == 1
    with pytest.raises(CommandError, match="has no version 7"):
        _run("qa", "--program-version", "7", "--input", "question=q")


def test_unknown_and_ambiguous_programs_are_errors(qa_program, other_user, qa_signature, stub_lm_config):
    with pytest.raises(CommandError, match="no program named 'nope'"):
        _run("nope", "--input", "question=q")
    program_create(name="qa", signature=qa_signature, lm_config=stub_lm_config, owner=other_user)
    with pytest.raises(CommandError, match=r"2 programs are named 'qa'.*--owner"):
        _run("qa", "--input", "question=q")


def test_it_runs_over_a_dataset_split_with_a_summary(openai_stub, qa_program, capitals):
    answers = {"France": "Paris", "Italy": "Rome", "Spain": "Barcelona"}

    def respond(request):
        question = request.json["messages"][-1]["content"]
        return reply(answer=next(a for country, a in answers.items() if country in question))

    openai_stub.responder = respond
    out, err = _run("qa", "--dataset", "capitals", "--split", "dev", "--show")
    assert Execution.objects.count() == 3
    assert "✓ #0 answer=Paris (gold answer=Paris)" in out
    assert "✗ #2 answer=Barcelona (gold answer=Madrid)" in out
    assert "3 examples: 3 succeeded, 0 failed, 0 rejected | exact match with the labels 2/3" in out
    assert "executing [" in err and "3/3" in err


def test_limit_takes_the_first_examples(openai_stub, qa_program, capitals):
    openai_stub.set_default(reply(answer="Paris"))
    out, _ = _run("qa", "--dataset", "capitals", "--limit", "2")
    assert Execution.objects.count() == 2
    assert "2 examples: 2 succeeded" in out


def test_failures_are_counted_and_shown(openai_stub, qa_program, capitals):
    openai_stub.script(reply(answer="Paris"), {"status": 400})
    out, _ = _run("qa", "--dataset", "capitals", "--split", "dev", "--limit", "2")
    assert "2 examples: 1 succeeded, 1 failed" in out
    assert "failed: LM call failed (BadRequestError)" in out


def test_examples_that_do_not_fit_the_program_are_rejected(openai_stub, user, stub_lm_config, capitals):
    signature = signature_create(name="other", spec="sentence -> label", owner=user)
    program_create(name="other", signature=signature, lm_config=stub_lm_config, owner=user)
    err = io.StringIO()
    with pytest.raises(CommandError, match="every example was rejected"):
        call_command("dspex_execute", "other", "--dataset", "capitals", stdout=io.StringIO(), stderr=err)
    assert "rejected: " in err.getvalue()
    assert not Execution.objects.exists()


def test_async_runs_enqueue_executions(openai_stub, qa_program, capitals, django_capture_on_commit_callbacks):
    openai_stub.set_default(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out, _ = _run("qa", "--dataset", "capitals", "--split", "dev", "--async")
    assert "Enqueued 3 executions" in out
    assert len(callbacks) == 3
    # Without a broker, tasks run eagerly once the transaction commits.
    assert set(Execution.objects.values_list("status", flat=True)) == {Execution.Status.SUCCEEDED}


def test_dataset_options_need_a_dataset(qa_program):
    with pytest.raises(CommandError, match="go with --dataset"):
        _run("qa", "--input", "question=q", "--limit", "3")
