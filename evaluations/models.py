"""Evaluation (a scored run over a dataset split) and EvaluationResult (one row per example).

Business logic lives in ``evaluations.services`` (the runner: ``evaluation_run``); the engine is
reached only through ``evaluations.gateway``. ``evaluation.run()`` and ``evaluation.compare(other)``
in the shell are the declared actions ``evaluation.run`` and ``evaluation.compare``
(``evaluations.actions``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.ownership import OwnedQuerySet
from core.runs import RunStatus
from datasets.models import Split

__all__ = ["Evaluation", "EvaluationResult"]


class Evaluation(models.Model):
    """Score ``program_version`` on one split of ``dataset_version`` with ``metrics``."""

    program_version = models.ForeignKey(
        "programs.ProgramVersion", on_delete=models.CASCADE, related_name="evaluations"
    )
    dataset_version = models.ForeignKey(
        "datasets.DatasetVersion", on_delete=models.CASCADE, related_name="evaluations"
    )
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.DEV)
    metrics = models.JSONField(
        default=list,
        blank=True,
        help_text='Metric names or specs, e.g. ["exact_match", {"name": "f1", "field": "label"}]; '
        "the first is the main score",
    )
    concurrency = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1)], help_text="Examples in flight at once"
    )
    limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Only the first N examples"
    )
    status = models.CharField(
        max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING, db_index=True
    )
    examples_done = models.PositiveIntegerField(default=0)
    examples_total = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(
        null=True,
        blank=True,
        help_text="Mean of the main metric over the examples done, 0..1 (a failed example counts 0)",
    )
    metric_scores = models.JSONField(default=dict, blank=True, help_text="Mean of each metric, 0..1")
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    error = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker started this run")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the process running it"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"Evaluation {self.pk} of {self.program_version} on {self.dataset_version}/{self.split} "
            f"({self.status})"
        )

    @property
    def progress(self) -> float | None:
        if self.examples_total is None:
            return None
        if self.examples_total == 0:
            return 1.0 if self.status == RunStatus.SUCCEEDED else 0.0
        return min(1.0, self.examples_done / self.examples_total)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class EvaluationResult(models.Model):
    """The prediction and score of one example in an evaluation."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    example = models.ForeignKey(
        "datasets.Example", on_delete=models.CASCADE, related_name="evaluation_results"
    )
    prediction = models.JSONField(null=True, blank=True, help_text="Output field values (null when failed)")
    score = models.FloatField(null=True, blank=True, help_text="The main metric, 0..1 (null when failed)")
    metric_scores = models.JSONField(default=dict, blank=True, help_text="Every metric's score, by name")
    error = models.TextField(blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evaluation_id", "example_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "example"], name="evaluationresult_unique_example")
        ]

    def __str__(self) -> str:
        return f"Result of example {self.example_id} in evaluation {self.evaluation_id}"
