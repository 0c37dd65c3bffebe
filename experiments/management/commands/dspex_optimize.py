"""``manage.py dspex_optimize``: optimize a program on a dataset (an Experiment), with a progress bar.

    python manage.py dspex_optimize sst2-sentiment --dataset sst2 --param max_bootstrapped_demos=4
    python manage.py dspex_optimize qa --dataset qa --optimizer labeled_few_shot --param k=8 --promote
    python manage.py dspex_optimize qa --dataset qa --background        # a Celery worker runs it

A front end of the declared action ``program.optimize`` (what ``manage.py dspex run
program.optimize <program> --here`` runs) that takes names and prints a summary. In the foreground
the run happens in this process: a progress bar shows trials done and the best score so far, and
a summary follows (baseline and final scores, the new program version). Ctrl-C cancels the
experiment (its trials are kept).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model
from rest_framework import serializers

from actions import get as get_action
from actions.declaration import Action, RunMode
from actions.invoke import invoke, run_here, validate_arguments
from core.commands import detail_text, find_owned, validation_text
from core.terminal_progress import Progress
from core.users import Caller
from datasets.models import Dataset
from datasets.selectors import dataset_version_list
from experiments.models import Experiment
from experiments.optimizer_types import optimizer_types
from experiments.services import experiment_cancel
from programs.models import Program


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
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
        given: dict[str, Any] = {
            "dataset_version": data_version.pk,
            "optimizer": options["optimizer"],
            "optimizer_params": parse_params(options["param"]),
            "metric": options["metric"],
            "train_split": options["train_split"],
            "val_split": options["val_split"],
            "promote": options["promote"],
            "evaluate_baseline": not options["no_baseline"],
        }
        if options["program_version"] is not None:
            given["version"] = options["program_version"]
        action = get_action("program.optimize")  # the command is a front end of the declared action
        try:
            arguments = validate_arguments(action, given, user=user, target=program, operator=user is None)
            if options["background"]:
                experiment = invoke(
                    action, user=user, target=program, arguments=arguments, mode=RunMode.BACKGROUND
                )
                where = f"/api/experiments/{experiment.pk}/"
                self.stdout.write(f"Experiment {experiment.pk} is {experiment.status}; follow it at {where}")
                return
            finished = self._here(action, user, program, arguments)
        except serializers.ValidationError as exc:
            raise CommandError(detail_text(exc.detail)) from None
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        assert isinstance(finished, Experiment)
        self._summary(finished)

    def _here(
        self, action: Action, user: Caller | None, program: Program, arguments: dict[str, Any]
    ) -> Model:
        """Run the experiment in this process: a bar with the trials done and the best score."""
        begun: list[Experiment] = []
        bar = Progress(0, stream=self.stderr, label="optimizing")

        def started(experiment: Experiment) -> None:
            begun.append(experiment)
            self.stdout.write(
                f"Experiment {experiment.pk}: {experiment.optimizer} on {experiment.program_version} with "
                f"{experiment.dataset_version} ({experiment.metric})"
            )

        def report(done: int, total: int) -> None:
            best = Experiment.objects.filter(pk=begun[0].pk).values_list("best_score", flat=True).first()
            bar.label = f"optimizing (best {'-' if best is None else f'{best:.1f}'})"
            bar.report(done, total)

        try:
            return run_here(
                action, user=user, target=program, arguments=arguments, report=report, started=started
            )
        except KeyboardInterrupt:
            if not begun:
                raise CommandError("interrupted before the experiment started") from None
            experiment_cancel(experiment=Experiment.objects.get(pk=begun[0].pk))
            raise CommandError(f"cancelled experiment {begun[0].pk} (its trials are kept)") from None
        finally:
            if bar.done or begun:
                bar.total = bar.done  # the estimate was an upper bound (e.g. bootstrap stops early)
                bar.close()

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
