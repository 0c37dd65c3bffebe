"""``manage.py dspex run``: a row by its name, and ``--here`` doing a background action's work in
the operator's process with a progress bar."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from evaluations.models import Evaluation
from tests.platform_fixtures import reply


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("dspex", "run", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_row_is_named_by_its_name_and_a_clash_asks_for_the_id(
    qa_program: Any, openai_stub: Any, other_user: Any, stub_lm_config: Any
) -> None:
    from programs.services import program_create, signature_create

    openai_stub.responder = lambda request: reply(answer="Paris")
    out, _ = _run("program.execute", "qa", "--arg", "question=Capital of France?")
    assert '"answer": "Paris"' in out
    signature = signature_create(name="qa", spec="question -> answer", owner=other_user)
    twin = program_create(name="qa", signature=signature, lm_config=stub_lm_config, owner=other_user)
    with pytest.raises(CommandError, match=rf"2 programs are named 'qa' \(ids {qa_program.pk}, {twin.pk}\)"):
        _run("program.execute", "qa", "--arg", "question=x")
    out, _ = _run("program.execute", "qa", "--user", other_user.username, "--arg", "question=x")
    assert '"answer": "Paris"' in out  # their policy leaves one row of that name
    with pytest.raises(CommandError, match="no program named 'nope'"):
        _run("program.execute", "nope", "--arg", "question=x")


@pytest.mark.django_db
def test_here_runs_the_work_in_this_process_with_a_bar(
    qa_program: Any, capitals_version: Any, openai_stub: Any
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    out, err = _run(
        "evaluation.start",
        "--arg",
        f"program={qa_program.pk}",
        "--arg",
        f"dataset={capitals_version.dataset_id}",
        "--arg",
        "split=dev",
        "--here",
    )
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "succeeded"
    done = evaluation.examples_total
    assert out.strip() == f"evaluation {evaluation.pk}: succeeded ({done}/{done})"
    assert err.startswith("evaluation [") and f" {done}/{done} " in err  # off a terminal: the last line


@pytest.mark.django_db
def test_here_is_for_background_work_only(capitals_version: Any) -> None:
    with pytest.raises(CommandError, match="has no background work"):
        _run("dataset.split", "capitals", "--here")
