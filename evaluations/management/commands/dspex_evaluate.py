"""``manage.py dspex_evaluate``: score a program version on a dataset split, with a progress bar.

    python manage.py dspex_evaluate --program qa --dataset capitals --metric exact_match
    python manage.py dspex_evaluate --program qa --version 2 --dataset capitals --split test \\
        --metric exact_match --metric f1 --limit 100 --concurrency 16
    python manage.py dspex_evaluate --program sst2-sentiment --dataset sst2 \\
        --metric '{"name": "exact_match", "field": "label"}' --background

A front end of the declared action ``evaluation.start`` (what ``manage.py dspex run
evaluation.start --here`` runs) that takes names and prints a summary. The evaluation is recorded
like any other (API, GraphQL and admin show it). In this process, a progress bar runs on stderr
and a summary follows: score per metric, failures, tokens, cost. ``--background`` queues it for
a Celery worker instead and prints its id.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework import serializers

from actions import get as get_action
from actions.declaration import RunMode
from actions.invoke import invoke, run_here, validate_arguments
from core.commands import detail_text, find_owned, validation_text
from core.runs import RunStatus
from core.terminal_progress import Progress
from datasets.models import Dataset, Split
from evaluations.models import Evaluation
from programs.models import Program

FAILURES_SHOWN = 5


def _metric(text: str) -> Any:
    """A metric name, or a JSON object spec (``{"name": "f1", "field": "label"}``)."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CommandError(f"--metric {text!r}: not valid JSON: {exc}") from None
    return text


def _what(evaluation: Evaluation) -> str:
    return f"{evaluation.program_version} on {evaluation.dataset_version}/{evaluation.split}"


def _in_metric_order(evaluation: Evaluation) -> list[tuple[str, float | None]]:
    """The scores in the order the metrics were given (the main one first): a JSON column read
    back from PostgreSQL has its keys in its own order."""
    names = [spec if isinstance(spec, str) else str(spec.get("name")) for spec in evaluation.metrics or []]
    scores = list((evaluation.metric_scores or {}).items())
    return sorted(scores, key=lambda item: names.index(item[0]) if item[0] in names else len(names))


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = (
        "Evaluate a program version on a dataset split with metrics (progress bar; --background for Celery)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``--version`` is the program version here, not Django's version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", required=True, help="the program's name (or id)")
        parser.add_argument("--owner", help="the username owning the program, when names clash")
        parser.add_argument("--version", type=int, help="the program version number (default: current)")
        parser.add_argument("--dataset", required=True, help="the dataset's name (or id)")
        parser.add_argument("--dataset-owner", help="the username owning the dataset, when names clash")
        parser.add_argument(
            "--dataset-version", type=int, help="the dataset version number (default: latest)"
        )
        parser.add_argument("--split", choices=Split.values, default=Split.DEV, help="default: dev")
        parser.add_argument(
            "--metric",
            action="append",
            dest="metrics",
            metavar="NAME_OR_JSON",
            help="a metric name (exact_match, f1, ...) or a JSON spec; repeat for several "
            "(default: exact_match)",
        )
        parser.add_argument("--limit", type=int, help="only the first N examples of the split")
        parser.add_argument("--concurrency", type=int, help="examples in flight at once (default 8)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue it for a Celery worker instead of running it here",
        )
        parser.add_argument("--user", help="record the evaluation as owned by this username")

    def handle(self, *args: Any, **options: Any) -> None:
        program = find_owned(Program.objects.all(), "program", options["program"], options["owner"])
        dataset = find_owned(Dataset.objects.all(), "dataset", options["dataset"], options["dataset_owner"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
        given = {
            "program": program.pk,
            "dataset": dataset.pk,
            "program_version_number": options["version"],
            "dataset_version_number": options["dataset_version"],
            "split": options["split"],
            "metrics": [_metric(text) for text in options["metrics"] or []] or None,
            "concurrency": options["concurrency"],
            "limit": options["limit"],
        }
        action = get_action("evaluation.start")  # the command is a front end of the declared action
        owner = user if user is not None else program.owner
        try:
            arguments = validate_arguments(
                action,
                {k: v for k, v in given.items() if v is not None},
                user=owner,
                target=None,
                operator=user is None,
            )
            if options["background"]:
                evaluation = invoke(action, user=owner, arguments=arguments, mode=RunMode.BACKGROUND)
                self.stdout.write(
                    f"Evaluation {evaluation.pk} of {_what(evaluation)} queued ({evaluation.examples_total} "
                    f"examples); follow it in the admin or at /api/evaluations/{evaluation.pk}/."
                )
                return
            started = time.perf_counter()
            with Progress(0, stream=self.stderr, label="evaluating") as bar:
                finished = run_here(action, user=owner, arguments=arguments, report=bar.report)
        except serializers.ValidationError as exc:
            raise CommandError(f"cannot evaluate: {detail_text(exc.detail)}") from None
        except ValidationError as exc:
            raise CommandError(f"cannot evaluate: {validation_text(exc)}") from None
        assert isinstance(finished, Evaluation)
        self._summary(finished, _what(finished), time.perf_counter() - started)
        if finished.status != RunStatus.SUCCEEDED:
            raise CommandError(f"evaluation {finished.pk} {finished.status}: {finished.error}")

    def _summary(self, evaluation: Evaluation, what: str, elapsed: float) -> None:
        write = self.stdout.write
        failed = evaluation.results.exclude(error="")
        failures = failed.count()
        scores = ", ".join(f"{name} {_percent(value)}" for name, value in _in_metric_order(evaluation))
        cost = "unknown" if evaluation.cost is None else f"${evaluation.cost:.6f}"
        write(
            f"Evaluation {evaluation.pk} ({evaluation.status}) of {what}: "
            f"{evaluation.examples_done}/{evaluation.examples_total} examples, {failures} failed | "
            f"{scores or 'no score'} | {evaluation.total_tokens} tokens | cost {cost} | {elapsed:.1f} s"
        )
        for result in failed.select_related("example").order_by("example__position")[:FAILURES_SHOWN]:
            write(f"  #{result.example.position} failed: {result.error[:200]}")
        if failures > FAILURES_SHOWN:
            write(f"  ... and {failures - FAILURES_SHOWN} more (see the admin's results, errors only)")
