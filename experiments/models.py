"""Experiment (an optimize run) and Trial (one scored candidate of a run).

``experiments.services.experiment_run`` is the runner; the Celery task ``run_experiment`` calls it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.ownership import OwnedQuerySet
from core.runs import RunStatus

__all__ = ["Experiment", "Trial"]


class Experiment(models.Model):
    """Optimize ``program_version`` on ``dataset_version`` with an optimizer; the best program
    becomes ``result_version``. Status moves only through ``experiments.services``."""

    program_version = models.ForeignKey(
        "programs.ProgramVersion", on_delete=models.CASCADE, related_name="experiments"
    )
    dataset_version = models.ForeignKey(
        "datasets.DatasetVersion", on_delete=models.CASCADE, related_name="experiments"
    )
    optimizer = models.CharField(max_length=100, help_text="An optimizer type key, e.g. bootstrap_few_shot")
    optimizer_params = models.JSONField(default=dict, blank=True)
    metric = models.CharField(max_length=200, default="exact_match", help_text="A metric name")
    train_split = models.CharField(max_length=8, default="train")
    val_split = models.CharField(
        max_length=8,
        default="dev",
        blank=True,
        help_text="Scores candidates; when empty, the train split does",
    )
    promote = models.BooleanField(default=False, help_text="Make the result the program's current version")
    evaluate_baseline = models.BooleanField(
        default=True, help_text="Score the starting program on the validation split first"
    )
    baseline_score = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker started this run")
    status = models.CharField(
        max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING, db_index=True
    )
    trials_done = models.PositiveIntegerField(default=0)
    trials_total = models.PositiveIntegerField(null=True, blank=True)
    best_score = models.FloatField(null=True, blank=True)
    score_trajectory = models.JSONField(default=list, blank=True, help_text="Best score after each trial")
    result_version = models.ForeignKey(
        "programs.ProgramVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="produced_by_experiments",
    )
    error = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="experiments"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the process running it"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Experiment {self.pk}: {self.optimizer} on {self.program_version} ({self.status})"

    @property
    def progress(self) -> float | None:
        """Fraction of trials done, when the total is known."""
        if not self.trials_total:
            return None
        return min(1.0, self.trials_done / self.trials_total)


class Trial(models.Model):
    """One candidate program evaluated during an experiment."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="trials")
    candidate = models.CharField(max_length=200, help_text="Key of the candidate within the experiment")
    kind = models.CharField(
        max_length=32,
        default="candidate",
        help_text="The optimizer's event kind: baseline, candidate, bootstrap, compiled ...",
    )
    score = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["experiment_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "candidate"], name="trial_unique_candidate")
        ]

    def __str__(self) -> str:
        return f"Trial {self.candidate} of experiment {self.experiment_id}"
