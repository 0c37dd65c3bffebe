"""An experiment runs the optimizer, records trials and progress, and stores a new version."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from experiments.models import Experiment
from experiments.services import program_optimize
from programs.models import ProgramVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def optimize(django_capture_on_commit_callbacks):
    """Start an experiment and run its (eager) task as the commit would."""

    def run(program, version, **options):
        options.setdefault("optimizer_params", {"max_bootstrapped_demos": 2, "max_labeled_demos": 2})
        with django_capture_on_commit_callbacks(execute=True):
            experiment = program_optimize(program=program, dataset_version=version, **options)
        experiment.refresh_from_db()
        return experiment

    return run


def test_bootstrap_turns_a_zero_score_into_a_perfect_one(
    optimize, qa_program, capitals_version, demo_dependent_stub
):
    experiment = optimize(qa_program, capitals_version)
    assert experiment.status == "succeeded", experiment.error
    assert experiment.baseline_score == 0.0
    assert experiment.best_score == 100.0
    assert experiment.score_trajectory == [0.0, 100.0]
    assert experiment.trials_done == experiment.trials_total == experiment.trials.count()
    kinds = list(experiment.trials.values_list("kind", flat=True))
    assert kinds[0] == "baseline" and kinds[-1] == "compiled" and "bootstrap" in kinds
    result = experiment.result_version
    assert result.source == ProgramVersion.Source.EXPERIMENT
    assert result.parent == experiment.program_version
    assert len(result.state["demos"]) == 2
    assert experiment.attempts == 1


def test_the_result_becomes_current_only_when_promoted(
    optimize, qa_program, capitals_version, demo_dependent_stub
):
    before = qa_program.current_version
    kept = optimize(qa_program, capitals_version)
    qa_program.refresh_from_db()
    assert qa_program.current_version == before
    promoted = optimize(qa_program, capitals_version, promote=True)
    qa_program.refresh_from_db()
    assert qa_program.current_version == promoted.result_version != kept.result_version


def test_the_promoted_version_answers_with_its_demos(
    optimize, qa_program, capitals_version, demo_dependent_stub
):
    optimize(qa_program, capitals_version, promote=True)
    qa_program.refresh_from_db()
    assert qa_program.execute(question="Capital of Japan?").answer == "Tokyo"


def test_labeled_few_shot_needs_no_metric(optimize, qa_program, capitals_version, demo_dependent_stub):
    experiment = optimize(
        qa_program, capitals_version, optimizer="labeled_few_shot", optimizer_params={"k": 3}
    )
    assert experiment.status == "succeeded", experiment.error
    assert len(experiment.result_version.state["demos"]) == 3
    assert experiment.best_score == 100.0


def test_an_optimizer_in_the_common_setting_format_runs(
    optimize, qa_program, capitals_version, demo_dependent_stub, settings
):
    settings.DSPEX_OPTIMIZER_TYPES = {
        "few": {"path": "dspex.LabeledFewShot", "label": "Few", "takes_metric": False}
    }
    experiment = optimize(qa_program, capitals_version, optimizer="few", optimizer_params={"k": 2})
    assert experiment.status == "succeeded", experiment.error  # takes_metric: no metric= was passed
    assert len(experiment.result_version.state["demos"]) == 2
    with pytest.raises(ValidationError) as caught:
        optimize(qa_program, capitals_version, optimizer="few", optimizer_params={"kk": 2})
    assert "Few does not accept kk" in " ".join(caught.value.message_dict["optimizer_params"])


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"optimizer": "nope"}, "optimizer", "unknown optimizer 'nope'"),
        ({"metric": "nope"}, "metric", "unknown metric 'nope'"),
        ({"optimizer_params": {"max_demos": 3}}, "optimizer_params", "does not accept max_demos"),
        ({"train_split": "test"}, "train_split", "no examples in the 'test' split"),
    ],
)
def test_bad_requests_name_the_field_and_leave_no_row(
    optimize, qa_program, capitals_version, options, field, message
):
    with pytest.raises(ValidationError) as caught:
        optimize(qa_program, capitals_version, **options)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Experiment.objects.exists()


def test_an_lm_failure_fails_the_experiment_with_the_reason(
    optimize, qa_program, capitals_version, openai_stub
):
    openai_stub.responder = lambda request: {
        "status": 400,
        "body": {"error": {"message": "model overloaded"}},
    }
    experiment = optimize(qa_program, capitals_version)
    assert experiment.status == "failed"
    assert "failed on all 2 examples" in experiment.error
    assert "model overloaded" in experiment.error
    assert experiment.result_version is None


def test_a_pipeline_program_is_optimized_step_by_step(
    optimize, user, qa_signature, stub_lm_config, capitals_version, demo_dependent_stub
):
    from programs.services import program_create

    program = program_create(
        name="qa-pipeline",
        signature=qa_signature,
        module_type="pipeline",
        module_config={
            "steps": [{"id": "answer_it", "module": "predict", "signature": "question -> answer"}]
        },
        lm_config=stub_lm_config,
        owner=user,
    )
    experiment = optimize(program, capitals_version, promote=True)
    assert experiment.status == "succeeded", experiment.error
    assert (experiment.baseline_score, experiment.best_score) == (0.0, 100.0)
    assert len(experiment.result_version.state["answer_it"]["demos"]) == 2
    program.refresh_from_db()
    assert program.execute(question="Capital of Japan?").answer == "Tokyo"
