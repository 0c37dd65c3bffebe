"""``manage.py dspex_optimize``: optimize a program on a dataset (an Experiment), with a progress bar.

    python manage.py dspex_optimize sst2-sentiment --dataset sst2 --param max_bootstrapped_demos=4
    python manage.py dspex_optimize qa --dataset qa --optimizer labeled_few_shot --param k=8 --promote
    python manage.py dspex_optimize qa --dataset qa --background        # a Celery worker runs it

In the foreground the run happens in this process: a progress bar shows trials done and the best
score so far, and a summary follows (baseline and final scores, the new program version).
Ctrl-C cancels the experiment (its trials are kept).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.commands import find_owned, validation_text
from core.terminal_progress import Progress
from datasets.models import Dataset
from datasets.selectors import dataset_version_list
from experiments.models import Experiment, Trial
from experiments.optimizer_types import optimizer_types
from experiments.services import experiment_cancel, experiment_run, program_optimize
from programs.models import Program, ProgramVersion


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["k=8", "name=x"]`` -> ``{"k": 8, "name": "x"}`` (values read as JSON, else as text)."""
    params: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--param takes NAME=VALUE, got {item!r}")
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


class Command(BaseCommand):
    help = "Optimize a program on a dataset version (an Experiment), showing progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's name (or id)")
        parser.add_argument("--owner", help="the username owning the program, when names clash")
        parser.add_argument("--program-version", type=int, help="start from this version (default: current)")
        parser.add_argument("--dataset", required=True, help="the dataset to learn from")
        parser.add_argument("--dataset-owner", help="the username owning the dataset, when names clash")
        parser.add_argument("--dataset-version", type=int, help="the dataset version (default: latest)")
        parser.add_argument(
            "--optimizer", default="bootstrap_few_shot", help=f"one of: {', '.join(optimizer_types())}"
        )
        parser.add_argument(
            "--param", action="append", default=[], metavar="NAME=VALUE", help="an optimizer parameter"
        )
        parser.add_argument("--metric", default="exact_match", help="a metric name (default exact_match)")
        parser.add_argument("--train-split", default="train")
        parser.add_argument("--val-split", default="dev", help="scores candidates ('' = the train split)")
        parser.add_argument("--promote", action="store_true", help="make the result the current version")
        parser.add_argument("--no-baseline", action="store_true", help="skip scoring the starting program")
        parser.add_argument(
            "--background", action="store_true", help="enqueue for a Celery worker and return at once"
        )
        parser.add_argument("--user", help="record the experiment as owned by this username")

    def handle(self, *args: Any, **options: Any) -> None:
        program = find_owned(Program.objects.all(), "program", options["program"], options["owner"])
        dataset = find_owned(Dataset.objects.all(), "dataset", options["dataset"], options["dataset_owner"])
        versions = dataset_version_list(dataset=dataset)
        if options["dataset_version"] is not None:
            data_version = versions.filter(number=options["dataset_version"]).first()
        else:
            data_version = versions.order_by("-number").first()
        if data_version is None:
            raise CommandError(
                f"dataset {dataset.name!r} has no version {options['dataset_version'] or ''}".strip()
            )
        version = None
        if options["program_version"] is not None:
            version = ProgramVersion.objects.filter(
                program=program, number=options["program_version"]
            ).first()
            if version is None:
                raise CommandError(f"program {program.name!r} has no version {options['program_version']}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
        try:
            experiment = program_optimize(
                program=program,
                version=version,
                dataset_version=data_version,
                optimizer=options["optimizer"],
                optimizer_params=parse_params(options["param"]),
                metric=options["metric"],
                train_split=options["train_split"],
                val_split=options["val_split"],
                promote=options["promote"],
                evaluate_baseline=not options["no_baseline"],
                user=user,
                enqueue=options["background"],
            )
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        if options["background"]:
            experiment.refresh_from_db()
            where = f"/api/experiments/{experiment.pk}/"
            self.stdout.write(f"Experiment {experiment.pk} is {experiment.status}; follow it at {where}")
            return
        self._run(experiment)

    def _run(self, experiment: Experiment) -> None:
        self.stdout.write(
            f"Experiment {experiment.pk}: {experiment.optimizer} on {experiment.program_version} with "
            f"{experiment.dataset_version} ({experiment.metric})"
        )
        bar: Progress | None = None

        def on_trial(trial: Trial) -> None:
            nonlocal bar
            row = Experiment.objects.only("trials_done", "trials_total", "best_score").get(pk=experiment.pk)
            if bar is None:
                bar = Progress(row.trials_total or 0, stream=self.stderr, label="optimizing")
            bar.total = max(row.trials_total or 0, row.trials_done)
            best = "-" if row.best_score is None else f"{row.best_score:.1f}"
            bar.label = f"optimizing (best {best})"
            bar.update(row.trials_done)

        try:
            finished = experiment_run(experiment_id=experiment.pk, on_trial=on_trial)
        except KeyboardInterrupt:
            experiment_cancel(experiment=Experiment.objects.get(pk=experiment.pk))
            raise CommandError(f"cancelled experiment {experiment.pk} (its trials are kept)") from None
        finally:
            if bar is not None:
                bar.total = bar.done  # the estimate was an upper bound (e.g. bootstrap stops early)
                bar.close()
        assert finished is not None
        self._summary(finished)

    def _summary(self, experiment: Experiment) -> None:
        if experiment.status != "succeeded":
            raise CommandError(f"experiment {experiment.pk} {experiment.status}: {experiment.error}")
        baseline = "-" if experiment.baseline_score is None else f"{experiment.baseline_score:.1f}"
        final = experiment.trials.filter(kind="compiled").values_list("score", flat=True).first()
        self.stdout.write(
            f"{experiment.metric} on the {experiment.val_split or experiment.train_split} split: "
            f"baseline {baseline} -> optimized {final:.1f} ({experiment.trials_done} trials)"
        )
        result = experiment.result_version
        current = " (now current)" if experiment.promote else ""
        self.stdout.write(f"New version: {result}{current}")
