"""A background action: the status row is made in the request, the generic Celery task runs the
work (eagerly here), progress is read from the row, and an idempotency key returns the first run
instead of starting a second one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework import serializers

from actions import Action, Background, register, unregister
from actions.admin import progress_of
from actions.declaration import RunMode
from actions.fields import VisibleRowField
from actions.invoke import invoke, validate_arguments
from evaluations.models import Evaluation
from tests.platform_fixtures import reply


class _Arguments(serializers.Serializer):
    program = VisibleRowField("programs.Program")
    dataset = VisibleRowField("datasets.Dataset")


def _start(*, user: Any, program: Any, dataset: Any) -> Evaluation:
    from evaluations.services import evaluation_create

    version = dataset.versions.order_by("-number").first()
    return evaluation_create(program_version=program.current_version, dataset_version=version, owner=user)


def _run(row_id: int) -> None:
    from evaluations.services import evaluation_run

    evaluation_run(evaluation_id=row_id)


EVALUATE_LATER = Action(
    resource="evaluations.Evaluation",
    name="evaluate_later",
    summary="Evaluate in the background",
    detail=False,
    arguments=_Arguments,
    background=Background(
        start=_start,
        run=_run,
        status_model="evaluations.Evaluation",
        progress=lambda row: (row.examples_done, row.examples_total or 0),
    ),
)


@pytest.fixture
def declared() -> Iterator[Action]:
    register(EVALUATE_LATER)
    yield EVALUATE_LATER
    unregister(EVALUATE_LATER.key)


@pytest.mark.django_db(transaction=True)
def test_the_generic_task_runs_the_work_and_a_key_returns_the_same_run(
    declared: Action, user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    arguments = validate_arguments(
        declared, {"program": qa_program.pk, "dataset": capitals_version.dataset.pk}, user=user, target=None
    )
    first = invoke(declared, user=user, arguments=arguments, mode=RunMode.BACKGROUND, idempotency_key="k-1")
    assert first.status == "succeeded"  # the eager task ran on commit
    assert progress_of(declared, first) == {"done": 2, "total": 2, "percent": 100, "status": "succeeded"}
    again = invoke(declared, user=user, arguments=arguments, mode=RunMode.BACKGROUND, idempotency_key="k-1")
    assert again.pk == first.pk and Evaluation.objects.count() == 1
    other = invoke(declared, user=user, arguments=arguments, mode=RunMode.BACKGROUND, idempotency_key="k-2")
    assert other.pk != first.pk and Evaluation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_command_follows_a_background_run(
    declared: Action, user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any
) -> None:
    openai_stub.responder = lambda request: reply(answer="Paris")
    out = io.StringIO()
    call_command(
        "dspex", "run", "evaluation.evaluate_later", "--background", "--wait", "--user", user.username,
        "--arg", f"program={qa_program.pk}", "--arg", f"dataset={capitals_version.dataset.pk}", stdout=out,
    )  # fmt: skip
    assert out.getvalue().strip().endswith("succeeded 2/2")


@pytest.mark.django_db
def test_an_idempotency_key_needs_a_user(declared: Action, qa_program: Any, capitals_version: Any) -> None:
    with pytest.raises(CommandError, match="idempotency key belongs to a user"):
        call_command(
            "dspex", "run", "evaluation.evaluate_later", "--background", "--idempotency-key", "k-9",
            "--arg", f"program={qa_program.pk}", "--arg", f"dataset={capitals_version.dataset.pk}",
            stdout=io.StringIO(),
        )  # fmt: skip
    assert not Evaluation.objects.exists()


@pytest.mark.django_db
def test_a_collection_action_is_a_classmethod_in_the_shell(
    declared: Action, user: Any, qa_program: Any, capitals_version: Any
) -> None:
    assert callable(Evaluation.evaluate_later)
    unregister(declared.key)
    assert not hasattr(Evaluation, "evaluate_later")
    register(declared)
