"""``manage.py dspex_demo``: SST-2 sentiment as Django resources, on the zero-setup default.

Creates (or reuses) a Signature, a Predict Program with a few SST-2 train demos in a new
ProgramVersion, and an SST-2 Dataset imported from the bundled data; then executes the program on
real dev sentences and prints each prediction against the gold label, the accuracy, tokens and
latency, and where the rows are in the admin. Running it again reuses the same rows.

    python manage.py dspex_demo                      # 10 dev sentences, local gemma-3-270m
    python manage.py dspex_demo --n 50 --model openai/gpt-4o-mini
    python manage.py dspex_demo --optimize           # then zero-shot -> BootstrapFewShot -> compare

``--optimize`` adds the optimize demo (``_optimize_demo``): a zero-shot program evaluated on the
same dev sentences, optimized with BootstrapFewShot as an Experiment, evaluated again and compared
example by example.
"""

from __future__ import annotations

import statistics
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.commands import validation_text
from core.terminal_progress import Progress
from datasets.demo_data import bundled_sst2, sst2_demo_records
from datasets.models import Dataset, DatasetVersion
from datasets.selectors import example_list
from dspex_project.management.commands._demo_data import demo_program, sst2_dataset
from dspex_project.management.commands._optimize_demo import OptimizeDemo
from programs.errors import ExecutionFailed
from programs.gateway.modules import fresh_state
from programs.gateway.signatures import jsonable
from programs.models import Execution, LMCallTrace, Program, ProgramVersion, Signature
from programs.services import (
    program_execute,
    program_version_create,
    signature_create,
    signature_update,
)

SIGNATURE_NAME = "sst2-sentiment"
SIGNATURE_SPEC = 'sentence -> label: Literal["positive", "negative"]'
INSTRUCTIONS = "Classify the sentiment of a movie review sentence."
PROGRAM_NAME = "sst2-sentiment"
DATASET_NAME = "sst2"
TRAIN_EXAMPLES = 200
DEV_EXAMPLES = 872  # all of the standard SST-2 dev sentences
ADMIN_HOST = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "The DSPex demo: SST-2 sentiment with a few-shot Predict program, run as Django resources "
        "(signature, program, versions, dataset, executions). Safe to run again: rows are reused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--n", type=int, default=10, help="dev sentences to classify (default 10)")
        parser.add_argument(
            "--demos", type=int, default=4, help="few-shot demos from the train split (default 4)"
        )
        parser.add_argument(
            "--model",
            default=None,
            help="the LM (default: DSPEX_DEFAULT_LM, i.e. local/gemma-3-270m), e.g. openai/gpt-4o-mini",
        )
        parser.add_argument(
            "--endpoint",
            default=None,
            help="an endpoint of DSPEX_LM_ENDPOINTS for --model (default: its provider's)",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="the URL of an endpoint of DSPEX_LM_ENDPOINTS (prefer --endpoint)",
        )
        parser.add_argument(
            "--api-key-env", default=None, help="that endpoint's key variable (prefer --endpoint)"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="exit with an error when any execution fails (CI runs the demo this way)",
        )
        parser.add_argument(
            "--no-cache", action="store_true", help="do not use the LM response cache (call the model again)"
        )
        parser.add_argument(
            "--optimize",
            action="store_true",
            help="then optimize a zero-shot program with BootstrapFewShot and show the improvement on the "
            "same dev sentences (an Experiment and two compared Evaluations)",
        )

    # -- setup -------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write("Setting up the database (migrate) ...")
            call_command("migrate", verbosity=0, interactive=False)

    def _signature(self) -> Signature:
        signature = Signature.objects.filter(owner__isnull=True, name=SIGNATURE_NAME).first()
        if signature is None:
            return signature_create(name=SIGNATURE_NAME, spec=SIGNATURE_SPEC, instructions=INSTRUCTIONS)
        if (signature.spec, signature.fields, signature.instructions) != (SIGNATURE_SPEC, [], INSTRUCTIONS):
            signature = signature_update(
                signature=signature, spec=SIGNATURE_SPEC, fields=[], instructions=INSTRUCTIONS
            )
        return signature

    def _dataset(self, signature: Signature) -> tuple[Dataset, DatasetVersion, bool]:
        records = [("train", s, label) for s, label in bundled_sst2("train", limit=TRAIN_EXAMPLES)] + [
            ("dev", s, label) for s, label in bundled_sst2("dev", limit=DEV_EXAMPLES)
        ]
        description = "SST-2 movie review sentences (bundled with dspex: dspex/data/sst2_*.tsv)"
        return sst2_dataset(DATASET_NAME, description, signature, records, "sst2_train.tsv+sst2_dev.tsv")

    def _version(self, program: Program, demo_count: int) -> tuple[ProgramVersion, bool]:
        demos = sst2_demo_records(demo_count)
        state = jsonable({**fresh_state(program), "demos": demos})
        current = program.current_version
        if current is not None and current.state == state:
            return current, False
        note = f"dspex_demo: {len(demos)} SST-2 train demos"
        return program_version_create(program=program, state=state, note=note), True

    # -- run ---------------------------------------------------------------------------------------
    def handle(self, *args: Any, **options: Any) -> None:
        n, demo_count = options["n"], options["demos"]
        if not 1 <= n <= DEV_EXAMPLES:
            raise CommandError(f"--n must be between 1 and {DEV_EXAMPLES} (the SST-2 dev sentences), got {n}")
        if not 0 <= demo_count <= 32:
            raise CommandError(f"--demos must be between 0 and 32, got {demo_count}")
        model = options["model"] or settings.DSPEX_DEFAULT_LM
        lm_config: dict[str, Any] = {"model": model}
        if options["endpoint"]:
            lm_config["endpoint"] = options["endpoint"]
        if options["base_url"]:  # accepted when it is exactly an endpoint's URL (programs.endpoints)
            lm_config["base_url"] = options["base_url"]
        if options["api_key_env"]:
            lm_config["api_key_env"] = options["api_key_env"]
        if options["no_cache"]:
            lm_config["params"] = {"cache": False}

        self._migrate()
        signature = self._signature()
        dataset, dataset_version, new_dataset = self._dataset(signature)
        description = "Few-shot SST-2 sentiment classifier (manage.py dspex_demo)"
        program = demo_program(PROGRAM_NAME, description, signature, lm_config)
        version, new_version = self._version(program, demo_count)
        dev = list(example_list(version=dataset_version, split="dev")[:n])

        out = self.stdout
        out.write(
            f"DSPex demo: {model}, {demo_count} demos, {len(dev)} SST-2 dev sentences "
            f"(database: {connection.vendor} {connection.settings_dict['NAME']})"
        )
        out.write(
            f"  signature '{signature.name}' ({signature.spec})\n"
            f"  program   '{program.name}' version {version.number} ({'new' if new_version else 'reused'})\n"
            f"  dataset   '{dataset.name}' version {dataset_version.number} "
            f"({dataset_version.train_count} train, {dataset_version.dev_count} dev; "
            f"{'imported now' if new_dataset else 'reused'})\n"
        )

        executions: list[Execution] = []
        correct = 0
        started = time.perf_counter()
        with Progress(len(dev), stream=self.stderr, label="classifying") as bar:
            for i, row in enumerate(dev, start=1):
                gold = row.labels.get("label")
                try:
                    execution = program_execute(program=program, inputs=row.inputs, version=version)
                    label = str((execution.outputs or {}).get("label"))
                except ExecutionFailed as exc:
                    execution = exc.execution
                    label = "<failed>"
                except ValidationError as exc:
                    raise CommandError(validation_text(exc)) from None
                executions.append(execution)
                ok = label == gold
                correct += ok
                sentence = row.inputs.get("sentence", "")
                line = f"{i:3d}. {'✓' if ok else '✗'} {label:<9} (gold {gold:<8}) {sentence[:70]}"
                if execution.status == Execution.Status.FAILED:
                    line += f"\n       {execution.error[:200]}"
                bar.write(line, out)
                bar.advance()
        elapsed = time.perf_counter() - started
        self._summary(program, version, executions, correct, elapsed, strict=options["strict"])
        if options["optimize"]:
            OptimizeDemo(self.stdout, self.stderr, ADMIN_HOST).run(signature, lm_config, dataset_version, n)

    def _summary(
        self,
        program: Program,
        version: ProgramVersion,
        executions: list[Execution],
        correct: int,
        elapsed: float,
        *,
        strict: bool = False,
    ) -> None:
        total = len(executions)
        failed = sum(e.status == Execution.Status.FAILED for e in executions)
        ids = [e.pk for e in executions]
        calls = LMCallTrace.objects.filter(execution_id__in=ids)
        call_count, hits = calls.count(), calls.filter(cache_hit=True).count()
        tokens = sum(e.prompt_tokens + e.completion_tokens for e in executions)
        costs = [e.cost for e in executions if e.cost is not None]
        cost = "unknown" if len(costs) < len(executions) else f"${sum(costs, Decimal(0)):.6f}"
        latencies = [e.latency_ms for e in executions if e.latency_ms is not None]
        p50 = statistics.median(latencies) if latencies else 0.0
        self.stdout.write(
            f"\naccuracy {correct}/{total} = {correct / total:.0%} | {total} executions ({failed} failed), "
            f"{call_count} LM calls ({hits} from the response cache), {tokens} tokens, cost {cost}, "
            f"latency p50 {p50:.0f} ms, {elapsed:.1f} s"
        )
        program_url = reverse("admin:programs_program_change", args=[program.pk])
        executions_url = (
            reverse("admin:programs_execution_changelist")
            + f"?program_version__program__id__exact={program.pk}"
        )
        self.stdout.write(
            f"\nThe rows: program '{program.name}' (id {program.pk}, version {version.number}), "
            f"executions {min(ids)}-{max(ids)}, in {connection.settings_dict['NAME']}.\n"
            "See them in the admin (python manage.py createsuperuser; python manage.py runserver):\n"
            f'  {ADMIN_HOST}{program_url}   ("Try it" runs the program on your own sentence)\n'
            f"  {ADMIN_HOST}{executions_url}"
        )
        if failed == total:
            raise CommandError(
                f"all {total} executions failed; the first: {executions[0].error}\n"
                "Check this machine with `python manage.py dspex_doctor` (the local model, the "
                "database, the broker and the LM endpoints, each with what is wrong)."
            )
        if failed and strict:
            first = next(execution for execution in executions if execution.error)
            raise CommandError(f"{failed} of {total} executions failed (--strict); the first: {first.error}")
