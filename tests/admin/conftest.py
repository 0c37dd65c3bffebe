from __future__ import annotations

import pytest

from tests.platform_fixtures import reply


@pytest.fixture
def qa_dataset_version(qa_signature, user):
    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="qa", signature=qa_signature, owner=user)
    return dataset_import(
        dataset=dataset,
        file=b'{"question": "Capital of France?", "answer": "Paris"}\n'
        b'{"question": "Capital of Italy?", "answer": "Rome", "split": "dev"}\n',
    )


@pytest.fixture
def one_of_everything(openai_stub, qa_program, qa_dataset_version):
    """At least one row of every model the admin shows."""
    from evaluations.services import evaluation_create, evaluation_result_record, evaluation_start
    from experiments.services import experiment_create, experiment_start, trial_record
    from programs.services import program_execute

    openai_stub.script(reply(answer="Paris"))
    run = program_execute(program=qa_program, inputs={"question": "Capital of France?"})
    from programs.feedback import execution_feedback_give

    execution_feedback_give(execution=run, user=qa_program.owner, score=1.0, label="qa")
    from programs.aliases import alias_create

    alias_create(
        program=qa_program, name="production", version=qa_program.current_version, reason="qa launch"
    )
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=qa_dataset_version,
        optimizer="BootstrapFewShot",
        trials_total=2,
    )
    experiment_start(experiment=experiment)
    trial_record(experiment=experiment, candidate="c0", score=0.5)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=qa_dataset_version, split="dev"
    )
    evaluation_start(evaluation=evaluation)
    example = qa_dataset_version.examples.get(split="dev")
    evaluation_result_record(evaluation=evaluation, example=example, prediction={"answer": "Rome"}, score=1.0)
    from programs.services import lm_credential_create

    lm_credential_create(
        owner=qa_program.owner, endpoint="stub", label="qa key", api_key="sk-admin-test-key-1"
    )
