"""The optimize part of ``manage.py dspex_demo --optimize``: zero-shot -> BootstrapFewShot -> better.

On a program of its own (``sst2-sentiment-optimized``, same signature and LM as the demo program):

1. evaluate the zero-shot version (no demos) on the first ``n`` held-out SST-2 dev sentences
   (an Evaluation, one result row per sentence);
2. optimize it with ``BootstrapFewShot`` (an Experiment) on a small SST-2 dataset of its own,
   ``sst2-optimize``: 60 train phrases to bootstrap demos from, 20 other phrases to score the
   candidate on; the compiled state becomes a new, promoted ProgramVersion;
3. evaluate that version on the same dev sentences and compare the two evaluations example by
   example (improved / regressed / unchanged), with links to the admin pages that show it all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, OutputWrapper
from django.urls import reverse

from core.commands import validation_text
from core.terminal_progress import Progress
from datasets.demo_data import bundled_sst2
from datasets.models import DatasetVersion
from dspex_project.management.commands._demo_data import demo_program, sst2_dataset
from evaluations.models import Evaluation
from evaluations.selectors import evaluation_compare
from evaluations.services import evaluation_create, evaluation_run
from experiments.models import Experiment
from experiments.services import experiment_run, program_optimize
from programs.gateway.modules import fresh_state
from programs.models import Program, ProgramVersion, Signature
from programs.services import program_version_create

PROGRAM_NAME = "sst2-sentiment-optimized"
DATASET_NAME = "sst2-optimize"
TRAIN_PHRASES = range(200, 260)  # past the 200 phrases of the demo dataset's train split
VAL_PHRASES = range(260, 280)
OPTIMIZER_PARAMS = {"max_bootstrapped_demos": 4, "max_labeled_demos": 4, "balance_by": "label"}


class OptimizeDemo:
    """Runs the three steps and prints what happened; ``admin_host`` prefixes the admin links."""

    def __init__(self, stdout: OutputWrapper, stderr: OutputWrapper, admin_host: str):
        self.stdout = stdout
        self.stderr = stderr
        self.admin_host = admin_host

    def run(
        self, signature: Signature, lm_config: dict[str, Any], dev_version: DatasetVersion, n: int
    ) -> None:
        description = "SST-2 sentiment, optimized from zero-shot (manage.py dspex_demo --optimize)"
        program = demo_program(PROGRAM_NAME, description, signature, lm_config)
        zero_shot = self._zero_shot_version(program)
        data_version = self._dataset(signature)
        out = self.stdout
        out.write(
            f"\nOptimize demo: program '{program.name}' version {zero_shot.number} (zero-shot), "
            f"BootstrapFewShot on '{DATASET_NAME}' ({data_version.train_count} train, "
            f"{data_version.dev_count} validation phrases), evaluated on {n} SST-2 dev sentences"
        )
        before = self._evaluate(zero_shot, dev_version, n, "1/3 zero-shot")
        experiment = self._optimize(program, zero_shot, data_version)
        optimized = experiment.result_version
        if optimized is None:  # _optimize returns only a succeeded experiment, which has its result
            raise CommandError(f"experiment {experiment.pk} has no result version")
        after = self._evaluate(optimized, dev_version, n, "3/3 optimized")
        self._summary(experiment, optimized, before, after)

    # -- rows --------------------------------------------------------------------------------------
    def _zero_shot_version(self, program: Program) -> ProgramVersion:
        state = fresh_state(program)
        for version in program.versions.order_by("number"):
            if version.state == state:
                return version
        return program_version_create(program=program, state=state, note="dspex_demo: zero-shot")

    def _dataset(self, signature: Signature) -> DatasetVersion:
        phrases = bundled_sst2("train", limit=VAL_PHRASES.stop)
        records = [("train", *phrases[i]) for i in TRAIN_PHRASES]
        records += [("dev", *phrases[i]) for i in VAL_PHRASES]
        description = "SST-2 train phrases for the optimize demo: train to bootstrap, dev to validate"
        return sst2_dataset(DATASET_NAME, description, signature, records)[1]

    # -- steps -------------------------------------------------------------------------------------
    def _evaluate(
        self, version: ProgramVersion, dev_version: DatasetVersion, n: int, label: str
    ) -> Evaluation:
        try:
            evaluation = evaluation_create(
                program_version=version, dataset_version=dev_version, split="dev", limit=n
            )
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        with Progress(evaluation.examples_total or n, stream=self.stderr, label=label) as bar:
            finished = evaluation_run(
                evaluation_id=evaluation.pk, on_progress=lambda row: bar.update(row.examples_done)
            )
        assert finished is not None
        scored_all = finished.results.count() == finished.examples_total
        if finished.status == "failed" and scored_all:
            # Every example failed (a base model without demos rarely answers in the format): 0%.
            self.stdout.write(f"  {label}: every example failed; counted as 0. {finished.error[:300]}")
        elif finished.status != "succeeded":
            raise CommandError(f"evaluation {finished.pk} {finished.status}: {finished.error}")
        return finished

    def _optimize(
        self, program: Program, version: ProgramVersion, data_version: DatasetVersion
    ) -> Experiment:
        try:
            experiment = program_optimize(
                program=program,
                version=version,
                dataset_version=data_version,
                optimizer="bootstrap_few_shot",
                optimizer_params=OPTIMIZER_PARAMS,
                train_split="train",
                val_split="dev",
                promote=True,
                evaluate_baseline=False,  # the zero-shot score is the dev evaluation's
                enqueue=False,
            )
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        with Progress(0, stream=self.stderr, label="2/3 optimizing") as bar:

            def on_trial(trial: Any) -> None:
                row = Experiment.objects.only("trials_done", "trials_total").get(pk=experiment.pk)
                bar.total = max(row.trials_total or 0, row.trials_done)
                bar.update(row.trials_done)

            finished = experiment_run(experiment_id=experiment.pk, on_trial=on_trial)
            bar.total = bar.done
        assert finished is not None
        if finished.status != "succeeded":
            raise CommandError(f"experiment {finished.pk} {finished.status}: {finished.error}")
        return finished

    def _summary(
        self, experiment: Experiment, result: ProgramVersion, before: Evaluation, after: Evaluation
    ) -> None:
        comparison = evaluation_compare(evaluation=after, baseline=before)
        demos = result.state.get("demos", [])
        labels = ", ".join(str(d.get("label")) for d in demos)
        zero_shot, optimized = before.score or 0.0, after.score or 0.0
        out = self.stdout
        out.write(
            f"\naccuracy on {after.examples_total} held-out dev sentences: zero-shot {zero_shot:.0%} -> "
            f"optimized {optimized:.0%} ({optimized - zero_shot:+.0%}); "
            f"{comparison.improved} improved, {comparison.regressed} regressed, "
            f"{comparison.unchanged} unchanged"
        )
        out.write(
            f"BootstrapFewShot chose {len(demos)} demos ({labels}); validation score "
            f"{experiment.best_score:.1f}; the result is version {result.number} "
            f"of '{experiment.program_version.program.name}' (now current)"
        )
        compare_url = reverse("admin:evaluations_evaluation_compare", args=[after.pk])
        experiment_url = reverse("admin:experiments_experiment_change", args=[experiment.pk])
        out.write(
            "See it in the admin:\n"
            f"  {self.admin_host}{compare_url}?other={before.pk}   (example by example)\n"
            f"  {self.admin_host}{experiment_url}   (the experiment and its trials)"
        )
