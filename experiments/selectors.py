"""Reads for experiments and trials."""

from __future__ import annotations

from django.db.models import QuerySet

from core.users import Caller
from experiments.models import Experiment, Trial

__all__ = ["experiment_list", "trial_list", "trial_list_for_user"]


def experiment_list(*, user: Caller | None, status: str | None = None) -> QuerySet[Experiment]:
    experiments = Experiment.objects.visible_to(user).select_related(
        "program_version__program", "dataset_version__dataset", "result_version", "owner"
    )
    if status is not None:
        experiments = experiments.filter(status=status)
    return experiments


def trial_list(*, experiment: Experiment) -> QuerySet[Trial]:
    return experiment.trials.order_by("created_at", "id")


def trial_list_for_user(*, user: Caller | None) -> QuerySet[Trial]:
    """Trials of the experiments the user may see."""
    return Trial.objects.filter(experiment__in=Experiment.objects.visible_to(user)).select_related(
        "experiment"
    )
