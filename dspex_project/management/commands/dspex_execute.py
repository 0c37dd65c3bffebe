"""``manage.py dspex_execute``: run a program on inputs typed on the command line, or on a dataset.

    python manage.py dspex_execute qa --input question="Capital of France?"
    python manage.py dspex_execute qa --input question=... --input hints='["a", "b"]'
    python manage.py dspex_execute sst2-sentiment --dataset sst2 --split dev --limit 100 [--show]

Every run goes through the declared action ``program.execute`` and is recorded as an Execution
(with its LM calls). With a dataset, a progress bar runs on
stderr and a summary follows: succeeded/failed, exact match with the labels, tokens, cost, latency.
"""

from __future__ import annotations

import json
import statistics
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework import serializers

from actions import get as get_action
from actions.declaration import RunMode
from actions.invoke import invoke, validate_arguments
from core.commands import detail_text, find_owned, validation_text
from core.terminal_progress import Progress
from core.users import Caller
from datasets.models import Dataset, Example, Split
from datasets.selectors import dataset_version_list, example_list
from programs.errors import ExecutionFailed
from programs.models import Execution, Program, ProgramVersion
from programs.services import program_inputs_from_text


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _execute(
    program: Program, version: ProgramVersion | None, user: Caller | None, inputs: Any, run_async: bool
) -> Execution:
    """One run through the declared action ``program.execute`` (inline, or queued with
    ``run_async``); bad inputs are a Django ``ValidationError`` naming the field."""
    action = get_action("program.execute")
    given: dict[str, Any] = {"inputs": inputs}
    if version is not None:
        given["version"] = version.number
    try:
        arguments = validate_arguments(action, given, user=user, target=program, operator=user is None)
    except serializers.ValidationError as exc:
        detail = exc.detail.get("inputs", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        raise ValidationError(detail_text(detail)) from None
    mode = RunMode.BACKGROUND if run_async else RunMode.INLINE
    execution: Execution = invoke(action, user=user, target=program, arguments=arguments, mode=mode)
    return execution


class Command(BaseCommand):
    help = "Execute a program on --input values, or on the examples of a dataset (with a progress bar)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's name (or id)")
        parser.add_argument("--owner", help="the username owning the program, when names clash")
        parser.add_argument(
            "--program-version", type=int, help="the program version number (default: current)"
        )
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--input",
            action="append",
            metavar="FIELD=VALUE",
            help="an input value (repeat for each field); non-text fields are read as JSON",
        )
        source.add_argument("--dataset", help="run on the examples of this dataset")
        parser.add_argument("--dataset-owner", help="the username owning the dataset, when names clash")
        parser.add_argument(
            "--dataset-version", type=int, help="the dataset version number (default: latest)"
        )
        parser.add_argument("--split", choices=Split.values, help="only this split (e.g. dev)")
        parser.add_argument("--limit", type=int, help="at most this many examples")
        parser.add_argument("--show", action="store_true", help="print every prediction (dataset runs)")
        parser.add_argument(
            "--async",
            action="store_true",
            dest="run_async",
            help="enqueue the executions for Celery workers instead of running them here",
        )
        parser.add_argument("--user", help="record the executions as created by this username")

    def handle(self, *args: Any, **options: Any) -> None:
        program = find_owned(Program.objects.all(), "program", options["program"], options["owner"])
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
        if options["input"] is not None:
            if options["limit"] is not None or options["split"] or options["show"]:
                raise CommandError("--split, --limit and --show go with --dataset")
            self._run_inputs(program, version, user, options["input"], options["run_async"])
        else:
            rows = self._examples(options)
            self._run_dataset(program, version, user, rows, options["show"], options["run_async"])

    # -- one run from --input ----------------------------------------------------------------------
    def _run_inputs(
        self,
        program: Program,
        version: ProgramVersion | None,
        user: Caller | None,
        items: list[str],
        run_async: bool,
    ) -> None:
        raw: dict[str, str] = {}
        for item in items:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--input {item!r}: expected FIELD=VALUE")
            raw[name.strip()] = value
        try:
            inputs = program_inputs_from_text(program=program, values=raw)
            execution = _execute(program, version, user, inputs, run_async)
        except ValidationError as exc:
            raise CommandError(f"invalid inputs: {validation_text(exc)}") from None
        except ExecutionFailed as exc:
            execution = exc.execution
        if run_async:
            self.stdout.write(f"Execution {execution.pk} enqueued ({execution.status}).")
            return
        calls = execution.lm_calls.count()
        cost = "unknown" if execution.cost is None else f"${execution.cost:.6f}"
        self.stdout.write(
            f"Execution {execution.pk} ({execution.status}) of {execution.program_version}: "
            f"{calls} LM call{'s' if calls != 1 else ''}, {execution.total_tokens} tokens, "
            f"{execution.latency_ms or 0:.0f} ms, cost {cost}"
        )
        for name, value in (execution.outputs or {}).items():
            self.stdout.write(f"  {name}: {_value(value)}")
        if execution.status == Execution.Status.FAILED:
            raise CommandError(execution.error)

    # -- many runs from --dataset ------------------------------------------------------------------
    def _examples(self, options: dict[str, Any]) -> list[Example]:
        dataset = find_owned(Dataset.objects.all(), "dataset", options["dataset"], options["dataset_owner"])
        versions = dataset_version_list(dataset=dataset)
        number = options["dataset_version"]
        version = versions.filter(number=number).first() if number is not None else versions.first()
        if version is None:
            which = f"version {number}" if number is not None else "versions"
            raise CommandError(f"dataset {dataset.name!r} has no {which}")
        rows = example_list(version=version, split=options["split"])
        if options["limit"] is not None:
            if options["limit"] < 1:
                raise CommandError("--limit must be at least 1")
            rows = rows[: options["limit"]]
        found = list(rows)
        if not found:
            split = f"{options['split']} " if options["split"] else ""
            raise CommandError(f"{version} has no {split}examples")
        return found

    def _run_dataset(
        self,
        program: Program,
        version: ProgramVersion | None,
        user: Caller | None,
        rows: list[Example],
        show: bool,
        run_async: bool,
    ) -> None:
        executions: list[Execution] = []
        rejected: dict[str, int] = {}
        scored = matched = 0
        started = time.perf_counter()
        label = "enqueueing" if run_async else "executing"
        with Progress(len(rows), stream=self.stderr, label=label) as bar:
            for row in rows:
                try:
                    execution = _execute(program, version, user, row.inputs, run_async)
                except ValidationError as exc:
                    message = validation_text(exc)
                    if message not in rejected:
                        bar.write(f"example {row.position}: rejected: {message}", self.stderr)
                    rejected[message] = rejected.get(message, 0) + 1
                    bar.advance()
                    continue
                except ExecutionFailed as exc:
                    execution = exc.execution
                executions.append(execution)
                outputs = execution.outputs or {}
                shared = [key for key in row.labels if key in outputs]
                ok = None
                if execution.status == Execution.Status.SUCCEEDED and row.labels:
                    scored += 1
                    ok = bool(shared) and all(outputs[key] == row.labels[key] for key in shared)
                    matched += ok
                if show or execution.status == Execution.Status.FAILED:
                    bar.write(self._line(row, execution, ok), self.stdout)
                bar.advance()
        elapsed = time.perf_counter() - started
        self._summary(executions, sum(rejected.values()), scored, matched, elapsed, run_async)
        if not executions:
            raise CommandError(f"every example was rejected: {next(iter(rejected))}")

    def _line(self, row: Example, execution: Execution, ok: bool | None) -> str:
        mark = {True: "✓", False: "✗", None: " "}[ok]
        inputs = ", ".join(f"{k}={_value(v)[:60]}" for k, v in row.inputs.items())
        if execution.status == Execution.Status.FAILED:
            return f"{mark} #{row.position} failed: {execution.error[:200]} ({inputs})"
        if execution.status != Execution.Status.SUCCEEDED:
            return f"  #{row.position} execution {execution.pk} {execution.status} ({inputs})"
        outputs = ", ".join(f"{k}={_value(v)[:60]}" for k, v in (execution.outputs or {}).items())
        gold = ", ".join(f"{k}={_value(v)[:40]}" for k, v in row.labels.items())
        return f"{mark} #{row.position} {outputs}" + (f" (gold {gold})" if gold else "") + f" | {inputs}"

    def _summary(
        self,
        executions: list[Execution],
        rejected: int,
        scored: int,
        matched: int,
        elapsed: float,
        run_async: bool,
    ) -> None:
        write = self.stdout.write
        ids = [e.pk for e in executions]
        span = f"executions {min(ids)}-{max(ids)}" if ids else "no executions"
        if run_async:
            write(f"Enqueued {len(executions)} executions ({span}); {rejected} examples rejected.")
            return
        counts = {status: sum(e.status == status for e in executions) for status in Execution.Status.values}
        tokens = sum(e.prompt_tokens + e.completion_tokens for e in executions)
        costs = [e.cost for e in executions if e.cost is not None]
        cost = "unknown" if len(costs) < len(executions) else f"${sum(costs, Decimal(0)):.6f}"
        latencies = sorted(e.latency_ms for e in executions if e.latency_ms is not None)
        p50 = statistics.median(latencies) if latencies else 0.0
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else 0.0
        score = f"exact match with the labels {matched}/{scored}" if scored else "no labels to compare"
        write(
            f"{len(executions) + rejected} examples: {counts['succeeded']} succeeded, "
            f"{counts['failed']} failed, {rejected} rejected | {score} | {tokens} tokens | cost {cost} | "
            f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms | {elapsed:.1f} s ({span})"
        )
