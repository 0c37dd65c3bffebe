"""optimizeProgram starts an experiment that records progress; cancelExperiment stops one."""

from __future__ import annotations

import pytest

from experiments.models import Experiment
from experiments.services import experiment_create
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

OPTIMIZE = """mutation($id: ID!, $data: ID!, $optimizer: String, $params: JSON, $metric: String,
                       $promote: Boolean) {
  optimizeProgram(id: $id, datasetVersion: $data, optimizer: $optimizer, optimizerParams: $params,
                  metric: $metric, promote: $promote) {
    experiment { id status trialsDone trialsTotal progress baselineScore bestScore scoreTrajectory
                 resultVersion { number } trials { edges { node { candidate kind score } } } }
    errors { field message code } } }"""
CANCEL = """mutation($id: ID!) { cancelExperiment(id: $id) {
  experiment { id status } errors { field message code } } }"""


def test_optimize_program_runs_the_experiment_and_reports_progress(
    graphql, qa_program, capitals_version, demo_dependent_stub, django_capture_on_commit_callbacks
):
    variables = {
        "id": gid(qa_program),
        "data": gid(capitals_version),
        "params": {"max_bootstrapped_demos": 2, "max_labeled_demos": 2},
        "promote": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        payload = graphql(OPTIMIZE, variables).data["optimizeProgram"]
    assert payload["errors"] == []
    experiment = graphql(
        """query($id: ID!) { node(id: $id) { ... on Experiment { status trialsDone trialsTotal progress
           baselineScore bestScore scoreTrajectory resultVersion { number } } } }""",
        {"id": payload["experiment"]["id"]},
    ).data["node"]
    assert experiment["status"] == "succeeded"
    assert experiment["progress"] == 1.0
    assert (experiment["baselineScore"], experiment["bestScore"]) == (0.0, 100.0)
    assert experiment["scoreTrajectory"] == [0.0, 100.0]
    assert experiment["resultVersion"] == {"number": 2}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"optimizer": "nope"}, "optimizer"),
        ({"metric": "nope"}, "metric"),
        ({"params": {"bogus": 1}}, "optimizerParams"),
    ],
)
def test_bad_arguments_are_errors_on_their_field(graphql, qa_program, capitals_version, extra, field):
    variables = {"id": gid(qa_program), "data": gid(capitals_version), **extra}
    payload = graphql(OPTIMIZE, variables).data["optimizeProgram"]
    assert payload["experiment"] is None
    assert [e["field"] for e in payload["errors"]] == [field]
    assert not Experiment.objects.exists()


def test_another_users_dataset_version_is_not_found(graphql_as, other_user, make_program, capitals_version):
    program = make_program(other_user, "theirs")
    payload = graphql_as(other_user)(OPTIMIZE, {"id": gid(program), "data": gid(capitals_version)}).data[
        "optimizeProgram"
    ]
    assert [e["field"] for e in payload["errors"]] == ["datasetVersion"]


def test_cancel_experiment_stops_a_pending_run_and_refuses_a_finished_one(
    graphql, graphql_as, other_user, user, qa_program, capitals_version
):
    experiment = experiment_create(
        program_version=qa_program.current_version,
        dataset_version=capitals_version,
        optimizer="labeled_few_shot",
        owner=user,
    )
    theirs = graphql_as(other_user)(CANCEL, {"id": gid(experiment)}).data["cancelExperiment"]
    assert theirs["experiment"] is None and theirs["errors"][0]["field"] == "id"
    payload = graphql(CANCEL, {"id": gid(experiment)}).data["cancelExperiment"]
    assert payload["experiment"]["status"] == "cancelled"
    again = graphql(CANCEL, {"id": gid(experiment)}).data["cancelExperiment"]
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"
