"""Writes for evaluations: create, enqueue, run (or resume), cancel, record per-example results.

The engine is reached only through ``evaluations.gateway`` (and ``programs.gateway`` for the program
and its LM). ``evaluation_run`` is the runner a Celery worker calls:

- it starts a pending evaluation, or resumes a running one (a redelivered task after a worker was
  killed): examples that already have a result row are skipped, so nothing runs twice and
  nothing is lost; a row per example is guaranteed by a unique constraint;
- ``dspex.Evaluate`` runs the remaining examples on a helper thread, ``concurrency`` at a time;
  finished examples come back to this thread and are written in batches together with the
  progress (done/total, running score, tokens, cost), throttled by
  :class:`~core.progress.ProgressThrottle` so big sets do not update the row per example;
- it stops between examples once the evaluation is cancelled (``evaluation_cancel``); results
  written before the cancel stay, with the aggregates over them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions import get as get_action
from actions.tasks import enqueue as enqueue_action
from core.heartbeat import Heartbeat
from core.ownership import authenticated_or_none
from core.progress import ProgressThrottle
from core.reaper import requeue_or_fail
from core.runs import TERMINAL, InvalidTransition, RunStatus, run_transition
from core.safe_input import storable
from core.users import Caller
from datasets.models import DatasetVersion, Example, Split
from evaluations.gateway.running import EvaluationStream, ExampleOutcome
from evaluations.gateway.scoring import check_metrics, resolve_metrics
from evaluations.metrics import DEFAULT_METRIC, metric_spec_names
from evaluations.models import Evaluation, EvaluationResult
from programs.gateway.lms import lm_for_program
from programs.gateway.modules import module_from_version
from programs.gateway.running import describe_error
from programs.gateway.signatures import signature_from_row
from programs.models import ProgramVersion

__all__ = [
    "evaluation_cancel",
    "evaluation_create",
    "evaluation_enqueue",
    "evaluation_fail",
    "evaluation_finish",
    "evaluation_recover",
    "evaluation_rerun",
    "evaluation_result_record",
    "evaluation_run",
    "evaluation_start",
]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Evaluation], None]


def _max_concurrency() -> int:
    return int(getattr(settings, "DSPEX_EVALUATION_MAX_CONCURRENCY", 64))


def _default_concurrency() -> int:
    return min(int(getattr(settings, "DSPEX_EVALUATION_CONCURRENCY", 8)), _max_concurrency())


def _split_examples(dataset_version: DatasetVersion, split: str, limit: int | None) -> list[Example]:
    rows = dataset_version.examples.filter(split=split).order_by("position")
    return list(rows[:limit] if limit else rows)


# -- creating --------------------------------------------------------------------------------------
def _check_inputs_fit(program_version: ProgramVersion, dataset_version: DatasetVersion, split: str) -> None:
    """The examples must carry the program's required inputs (checked on the first one)."""
    first = dataset_version.examples.filter(split=split).order_by("position").first()
    if first is None:
        counts = (
            f"train {dataset_version.train_count}, dev {dataset_version.dev_count}, "
            f"test {dataset_version.test_count}"
        )
        raise ValidationError(
            {"split": ValidationError(f"{dataset_version} has no {split} examples ({counts})", code="empty")}
        )
    signature = signature_from_row(program_version.program.signature)
    required = set(signature.input_schema().get("required", []))
    missing = sorted(required - set(first.inputs))
    if missing:
        raise ValidationError(
            {
                "dataset_version": ValidationError(
                    f"the examples of {dataset_version} lack the input(s) {', '.join(missing)} of "
                    f"{program_version.program.name!r} (they have: {', '.join(first.inputs) or 'none'})",
                    code="invalid",
                )
            }
        )


def evaluation_create(
    *,
    program_version: ProgramVersion,
    dataset_version: DatasetVersion,
    split: str = Split.DEV,
    metrics: list[Any] | None = None,
    concurrency: int | None = None,
    limit: int | None = None,
    owner: Caller | None = None,
) -> Evaluation:
    """A pending evaluation of ``program_version`` on the ``split`` examples of ``dataset_version``
    (the first ``limit`` of them, when given), scored with ``metrics`` (default exact match).

    Every problem is a ``ValidationError`` keyed by the argument: an unknown split or one without
    examples, examples lacking the program's inputs, unknown metrics or options, a concurrency
    outside 1..``DSPEX_EVALUATION_MAX_CONCURRENCY``.
    """
    errors: dict[str, list[ValidationError]] = {}

    def check(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ValidationError as exc:
            for key, messages in exc.update_error_dict({}).items():
                errors.setdefault(key, []).extend(messages)
            return None

    if split not in Split.values:
        errors["split"] = [ValidationError(f"must be one of {', '.join(Split.values)}, got {split!r}")]
    else:
        check(lambda: _check_inputs_fit(program_version, dataset_version, split))
    check(lambda: check_metrics(metrics, program_version.program))
    if concurrency is None:
        concurrency = _default_concurrency()
    if not isinstance(concurrency, int) or not 1 <= concurrency <= _max_concurrency():
        errors["concurrency"] = [
            ValidationError(f"must be an integer from 1 to {_max_concurrency()}, got {concurrency!r}")
        ]
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        errors["limit"] = [ValidationError(f"must be a positive integer, got {limit!r}")]
    if errors:
        raise ValidationError(errors)
    total = dataset_version.examples.filter(split=split).count()
    evaluation = Evaluation(
        program_version=program_version,
        dataset_version=dataset_version,
        split=split,
        metrics=list(metrics or [DEFAULT_METRIC]),
        concurrency=concurrency,
        limit=limit,
        examples_total=min(total, limit) if limit else total,
        owner=authenticated_or_none(owner),
    )
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_enqueue(*, evaluation: Evaluation, enqueue: bool = True) -> Evaluation:
    """Queue the evaluation's run on the generic action task (``evaluation.run``) once the
    transaction commits (without a broker it runs in this process then); ``enqueue=False``: the
    caller dispatches it. Returns the evaluation as it is now."""
    if evaluation.status in TERMINAL:
        raise ValidationError(
            f"evaluation {evaluation.pk} is {evaluation.status}: start a new one", code="finished"
        )
    if enqueue:
        enqueue_action(get_action("evaluation.run"), evaluation.pk)
    return evaluation


# -- the status machine ----------------------------------------------------------------------------
@dataclass
class _Totals:
    """Running sums over result rows (a failed example scores 0 on every metric)."""

    metrics: list[str]
    count: int = 0
    errors: int = 0
    score_sum: float = 0.0
    metric_sums: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: Decimal | None = Decimal(0)

    def add(
        self, *, score: Any, metric_scores: Any, error: str, prompt: int, completion: int, cost: Any
    ) -> None:
        self.count += 1
        self.errors += bool(error)
        self.score_sum += float(score or 0.0)
        scores = metric_scores if isinstance(metric_scores, dict) else {}
        for name in self.metrics:
            value = scores.get(name)
            if value is None and name == self.metrics[0]:
                value = score
            self.metric_sums[name] = self.metric_sums.get(name, 0.0) + float(value or 0.0)
        self.prompt_tokens += int(prompt or 0)
        self.completion_tokens += int(completion or 0)
        self.cost = None if self.cost is None or cost is None else self.cost + Decimal(cost)

    @classmethod
    def of(cls, evaluation: Evaluation) -> _Totals:
        totals = cls(metrics=metric_spec_names(evaluation.metrics))
        rows = EvaluationResult.objects.filter(evaluation_id=evaluation.pk).values_list(
            "score", "metric_scores", "error", "prompt_tokens", "completion_tokens", "cost"
        )
        for score, metric_scores, error, prompt, completion, cost in rows.iterator(chunk_size=2000):
            totals.add(
                score=score,
                metric_scores=metric_scores,
                error=error,
                prompt=prompt,
                completion=completion,
                cost=cost,
            )
        return totals

    def fields(self) -> dict[str, Any]:
        if not self.count:
            return {
                "score": None,
                "metric_scores": {},
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "cost": Decimal(0),
            }
        return {
            "score": self.score_sum / self.count,
            "metric_scores": {name: self.metric_sums.get(name, 0.0) / self.count for name in self.metrics},
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
        }


def evaluation_start(*, evaluation: Evaluation) -> Evaluation:
    return run_transition(run=evaluation, to=RunStatus.RUNNING)


def evaluation_finish(*, evaluation: Evaluation) -> Evaluation:
    """Mark it succeeded with its aggregates over the results: the mean of each metric (a failed
    example counts 0), tokens, and cost (unknown when one example's cost is)."""
    with transaction.atomic():
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        totals = _Totals.of(evaluation)
        done = totals.count
        return run_transition(run=evaluation, to=RunStatus.SUCCEEDED, examples_done=done, **totals.fields())


def evaluation_fail(*, evaluation: Evaluation, error: str) -> Evaluation:
    with transaction.atomic():
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        totals = _Totals.of(evaluation)
        return run_transition(
            run=evaluation, to=RunStatus.FAILED, error=error, examples_done=totals.count, **totals.fields()
        )


def evaluation_cancel(*, evaluation: Evaluation) -> Evaluation:
    """Cancel a pending or running evaluation (``InvalidTransition`` once it has finished).

    A running one stops between examples: its worker notices at its next progress write. The
    results recorded so far stay, and the aggregates are those over them.
    """
    with transaction.atomic():
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        totals = _Totals.of(evaluation)
        return run_transition(
            run=evaluation, to=RunStatus.CANCELLED, examples_done=totals.count, **totals.fields()
        )


def evaluation_result_record(
    *,
    evaluation: Evaluation,
    example: Example,
    prediction: dict[str, Any] | None,
    score: float | None,
    metric_scores: dict[str, float] | None = None,
    error: str = "",
    latency_ms: float | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: Decimal | None = None,
) -> EvaluationResult:
    """Store one example's outcome and advance ``examples_done`` (only while running)."""
    if example.version_id != evaluation.dataset_version_id or example.split != evaluation.split:
        raise ValidationError(
            f"example {example.pk} is not in {evaluation.dataset_version}/{evaluation.split}", code="invalid"
        )
    if metric_scores is None:
        metric_scores = {} if score is None else {metric_spec_names(evaluation.metrics)[0]: score}
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status != RunStatus.RUNNING:
            raise ValidationError(
                f"evaluation {locked.pk} is {locked.status}: results are recorded only while it runs",
                code="not_running",
            )
        result = EvaluationResult.objects.create(
            evaluation=locked,
            example=example,
            prediction=storable(prediction),
            score=score,
            metric_scores=metric_scores,
            error=storable(error),
            latency_ms=latency_ms,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost,
        )
        done = locked.results.count()
        Evaluation.objects.filter(pk=locked.pk).update(examples_done=done)
    evaluation.examples_done = done
    return result


# -- running ---------------------------------------------------------------------------------------
def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def _status(evaluation: Evaluation) -> str:
    return Evaluation.objects.filter(pk=evaluation.pk).values_list("status", flat=True).get()


def _write(evaluation: Evaluation, outcomes: list[ExampleOutcome], totals: _Totals) -> str:
    """Insert ``outcomes`` as result rows and update the progress, if the evaluation still runs;
    return its status (anything but ``running`` means: stop, and drop what was not written)."""
    with transaction.atomic():
        status = (
            Evaluation.objects.select_for_update()
            .filter(pk=evaluation.pk)
            .values_list("status", flat=True)
            .get()
        )
        if status != RunStatus.RUNNING:
            return status
        EvaluationResult.objects.bulk_create(
            [
                EvaluationResult(
                    evaluation_id=evaluation.pk,
                    example_id=outcome.example_id,
                    # LM answers can hold characters PostgreSQL cannot store.
                    prediction=storable(outcome.prediction),
                    score=outcome.score,
                    metric_scores=outcome.metric_scores,
                    error=storable(outcome.error),
                    latency_ms=outcome.latency_ms,
                    prompt_tokens=outcome.prompt_tokens,
                    completion_tokens=outcome.completion_tokens,
                    cost=outcome.cost,
                )
                for outcome in outcomes
            ],
            ignore_conflicts=True,  # another worker running the same evaluation wrote it first
        )
        for outcome in outcomes:
            totals.add(
                score=outcome.score,
                metric_scores=outcome.metric_scores,
                error=outcome.error,
                prompt=outcome.prompt_tokens,
                completion=outcome.completion_tokens,
                cost=outcome.cost,
            )
        changes = {
            "examples_done": EvaluationResult.objects.filter(evaluation_id=evaluation.pk).count(),
            "updated_at": timezone.now(),
            **totals.fields(),
        }
        Evaluation.objects.filter(pk=evaluation.pk).update(**changes)
    for name, value in changes.items():
        setattr(evaluation, name, value)
    return status


def _drive(
    evaluation: Evaluation,
    stream: EvaluationStream,
    totals: _Totals,
    on_progress: ProgressCallback | None,
) -> str:
    """Consume the stream's outcomes, writing them as progress comes due; stop on a cancel."""
    throttle = ProgressThrottle(
        evaluation.examples_total or 0,
        fraction=float(getattr(settings, "DSPEX_EVALUATION_PROGRESS_FRACTION", 0.01)),
        interval=float(getattr(settings, "DSPEX_EVALUATION_PROGRESS_INTERVAL", 1.0)),
    )
    pending: list[ExampleOutcome] = []
    status: str = RunStatus.RUNNING
    for outcome in stream:
        if outcome is not None:
            pending.append(outcome)
        if status == RunStatus.RUNNING and throttle.due(
            len(pending), evaluation.examples_done + len(pending)
        ):
            status = _write(evaluation, pending, totals)
            pending = []
            throttle.written()
            if status == RunStatus.RUNNING and on_progress is not None:
                on_progress(evaluation)
        elif outcome is None and status == RunStatus.RUNNING and not pending:
            status = _status(evaluation)  # idle: is it still wanted?
        if status != RunStatus.RUNNING and not stream.stopped:
            stream.stop()  # cancelled (or finished elsewhere): start no more examples
    if pending and status == RunStatus.RUNNING:
        status = _write(evaluation, pending, totals)
        if status == RunStatus.RUNNING and on_progress is not None:
            on_progress(evaluation)
    return status


def _conclude(evaluation: Evaluation, failure: BaseException | None) -> Evaluation:
    if failure is not None:
        return evaluation_fail(
            evaluation=evaluation,
            error=f"the run stopped: {describe_error(failure)}",
        )
    first_error = (
        EvaluationResult.objects.filter(evaluation_id=evaluation.pk)
        .exclude(error="")
        .values_list("error", flat=True)
    ).first()
    failed = EvaluationResult.objects.filter(evaluation_id=evaluation.pk).exclude(error="").count()
    if failed and failed == evaluation.examples_total:
        return evaluation_fail(
            evaluation=evaluation, error=f"every example failed ({failed}); the first: {first_error}"
        )
    return evaluation_finish(evaluation=evaluation)


def evaluation_run(*, evaluation_id: int, on_progress: ProgressCallback | None = None) -> Evaluation | None:
    """Run a pending evaluation, or resume a running one, in this process (the worker's job).

    Returns the row as it ends (succeeded, failed or cancelled; a finished one is left alone), or
    ``None`` when it no longer exists. ``on_progress(evaluation)`` is called after each progress
    write (the command's progress bar). Failed examples are results with an ``error``; the whole
    evaluation fails when the program cannot be built or every example failed.
    """
    evaluation = (
        Evaluation.objects.select_related("program_version__program__signature", "dataset_version")
        .filter(pk=evaluation_id)
        .first()
    )
    if evaluation is None:
        return None
    if evaluation.status == RunStatus.PENDING:
        try:
            evaluation_start(evaluation=evaluation)
        except InvalidTransition:
            evaluation.refresh_from_db()
    if evaluation.status != RunStatus.RUNNING:
        return evaluation
    Evaluation.objects.filter(pk=evaluation.pk).update(attempts=F("attempts") + 1)
    with Heartbeat(Evaluation, evaluation.pk, beat_now=True):
        try:
            return _run_started(evaluation, on_progress)
        except InvalidTransition:  # cancelled (or finished by another worker) at the last moment
            evaluation.refresh_from_db()
            return evaluation
        except Exception as exc:  # never leave it running: record why it stopped, if possible
            logger.exception("evaluation %s stopped", evaluation.pk)
            try:
                return evaluation_fail(evaluation=evaluation, error=f"the run stopped: {describe_error(exc)}")
            except InvalidTransition:
                evaluation.refresh_from_db()
                return evaluation
            except Exception:
                raise exc from None


def _run_started(evaluation: Evaluation, on_progress: ProgressCallback | None) -> Evaluation:
    try:
        rows = _split_examples(evaluation.dataset_version, evaluation.split, evaluation.limit)
        done = set(
            EvaluationResult.objects.filter(evaluation_id=evaluation.pk).values_list("example_id", flat=True)
        )
        todo = [row for row in rows if row.pk not in done]
        evaluation.examples_total = len(rows)
        Evaluation.objects.filter(pk=evaluation.pk).update(examples_total=len(rows))
        program = evaluation.program_version.program
        signature = signature_from_row(program.signature)
        stream = EvaluationStream(
            module=module_from_version(evaluation.program_version),
            lm=lm_for_program(program),
            rows=todo,
            metrics=resolve_metrics(evaluation.metrics, signature),
            concurrency=evaluation.concurrency,
        )
    except ValidationError as exc:
        return evaluation_fail(evaluation=evaluation, error=f"cannot run: {_validation_text(exc)}")
    totals = _Totals.of(evaluation)
    evaluation.examples_done = totals.count
    try:
        with stream:
            status = _drive(evaluation, stream, totals, on_progress)
    except Exception as exc:  # the database went away, ...: record it if possible, never hang running
        logger.exception("evaluation %s stopped", evaluation.pk)
        try:
            return evaluation_fail(
                evaluation=evaluation, error=f"the run stopped: {type(exc).__name__}: {exc}"
            )
        except Exception:
            raise exc from None
    if status != RunStatus.RUNNING:
        evaluation.refresh_from_db()
        return evaluation
    return _conclude(evaluation, stream.failure)


def evaluation_recover(evaluation: Evaluation, message: str) -> str:
    """The reaper's verdict on a running evaluation whose worker stopped beating: queue it again
    (it resumes after the examples already written) while it has attempts left and a broker can
    take it, else fail it with ``message``."""
    return requeue_or_fail(
        evaluation,
        enqueue=lambda pk: enqueue_action(get_action("evaluation.run"), pk),
        fail=lambda error: evaluation_fail(evaluation=evaluation, error=error),
        message=message,
    )


def evaluation_rerun(*, evaluation: Evaluation, owner: Caller | None = None) -> Evaluation:
    """A new pending evaluation with the same program version, data, metrics and settings."""
    return evaluation_create(
        program_version=evaluation.program_version,
        dataset_version=evaluation.dataset_version,
        split=evaluation.split,
        metrics=evaluation.metrics,
        concurrency=evaluation.concurrency,
        limit=evaluation.limit,
        owner=owner if owner is not None else evaluation.owner,
    )
