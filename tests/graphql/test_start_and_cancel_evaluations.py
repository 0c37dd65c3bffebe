"""``startEvaluation`` queues a run (the eager task completes it on commit); ``cancelEvaluation``
stops one. Bad input is a payload error naming the field."""

from __future__ import annotations

import pytest

from evaluations.models import Evaluation
from evaluations.services import evaluation_create
from programs.services import program_version_create
from tests.evaluations.helpers import answering, evaluated, questions_version
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

START = """mutation($input: StartEvaluationInput!) { startEvaluation(input: $input) {
    evaluation { id status examplesTotal concurrency metrics split } errors { field message code } } }"""
CANCEL = """mutation($id: ID!) { cancelEvaluation(id: $id) {
    evaluation { id status } errors { field message code } } }"""
EVALUATION = """query($id: ID!) { evaluation(id: $id) { status score metricScores examplesDone
    results { totalCount edges { node { score metricScores prediction } } } } }"""


@pytest.fixture
def questions(user, qa_program):
    return questions_version(user, qa_program.signature, 4)


def test_it_starts_a_pending_evaluation_that_the_task_runs(
    graphql, openai_stub, qa_program, questions, django_capture_on_commit_callbacks
):
    answering(openai_stub, wrong={"q3"})
    variables = {"input": {"program": gid(qa_program), "dataset": gid(questions.dataset), "concurrency": 2}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payload = graphql(START, variables).data["startEvaluation"]
        assert payload["errors"] == []
        assert payload["evaluation"]["status"] == "pending"
        assert openai_stub.completion_requests() == []
    assert len(callbacks) == 1
    assert payload["evaluation"]["examplesTotal"] == 4
    assert (payload["evaluation"]["metrics"], payload["evaluation"]["split"]) == (["exact_match"], "dev")
    evaluation = graphql(EVALUATION, {"id": payload["evaluation"]["id"]}).data["evaluation"]
    assert (evaluation["status"], evaluation["score"], evaluation["examplesDone"]) == ("succeeded", 0.75, 4)
    assert evaluation["metricScores"] == {"exact_match": 0.75}
    assert evaluation["results"]["totalCount"] == 4


def test_versions_are_chosen_by_id(
    graphql, openai_stub, qa_program, questions, django_capture_on_commit_callbacks
):
    first = qa_program.current_version
    program_version_create(program=qa_program, state=None)
    variables = {
        "input": {
            "program": gid(qa_program),
            "programVersion": gid(first),
            "dataset": gid(questions.dataset),
            "datasetVersion": gid(questions),
            "limit": 2,
        }
    }
    with django_capture_on_commit_callbacks(execute=False):
        payload = graphql(START, variables).data["startEvaluation"]
    assert payload["errors"] == []
    evaluation = Evaluation.objects.get()
    assert (evaluation.program_version, evaluation.dataset_version, evaluation.examples_total) == (
        first,
        questions,
        2,
    )


@pytest.mark.parametrize(
    ("changes", "field", "code", "text"),
    [
        ({"program": "UHJvZ3JhbTo5OTk="}, "program", "NOT_FOUND", "was not found"),
        ({"dataset": "nonsense"}, "dataset", "INVALID", "is not the ID of a Dataset"),
        ({"split": "holdout"}, "split", "INVALID_CHOICE", '"holdout" is not a valid choice'),
        ({"metrics": ["acc"]}, "metrics", "INVALID_CHOICE", "metrics[0]: unknown metric 'acc'"),
        ({"metrics": "exact_match"}, "metrics", "INVALID", "must be a list"),
        ({"concurrency": 0}, "concurrency", "INVALID", "must be an integer from 1 to 64"),
        ({"limit": -1}, "limit", "INVALID", "must be a positive integer"),
    ],
)
def test_bad_input_names_the_field_and_queues_nothing(
    graphql, qa_program, questions, django_capture_on_commit_callbacks, changes, field, code, text
):
    variables = {"input": {"program": gid(qa_program), "dataset": gid(questions.dataset), **changes}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payload = graphql(START, variables).data["startEvaluation"]
    assert payload["evaluation"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], payload["errors"]
    assert text in payload["errors"][0]["message"]
    assert callbacks == [] and not Evaluation.objects.exists()


def test_a_version_of_another_program_is_refused(graphql, make_program, user, qa_program, questions):
    other = make_program(user, "other")
    variables = {
        "input": {
            "program": gid(qa_program),
            "programVersion": gid(other.current_version),
            "dataset": gid(questions.dataset),
        }
    }
    [error] = graphql(START, variables).data["startEvaluation"]["errors"]
    assert error["field"] == "programVersion" and "is not a version of program 'qa'" in error["message"]


def test_another_users_program_and_dataset_are_not_found(graphql_as, other_user, qa_program, questions):
    variables = {"input": {"program": gid(qa_program), "dataset": gid(questions.dataset)}}
    errors = graphql_as(other_user)(START, variables).data["startEvaluation"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("program", "NOT_FOUND"), ("dataset", "NOT_FOUND")}


def test_anonymous_users_get_an_authentication_error(graphql_as, qa_program, questions):
    variables = {"input": {"program": gid(qa_program), "dataset": gid(questions.dataset)}}
    result = graphql_as(None)(START, variables)
    assert result.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_cancel_stops_a_pending_evaluation(graphql, qa_program, questions, user):
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=questions, owner=user
    )
    payload = graphql(CANCEL, {"id": gid(evaluation)}).data["cancelEvaluation"]
    assert payload["errors"] == []
    assert payload["evaluation"]["status"] == "cancelled"


def test_a_finished_evaluation_cannot_be_cancelled(graphql, openai_stub, qa_program, questions, user):
    answering(openai_stub)
    evaluation = evaluated(qa_program, questions, owner=user)
    payload = graphql(CANCEL, {"id": gid(evaluation)}).data["cancelEvaluation"]
    assert payload["errors"] == [
        {
            "field": "id",
            "message": f"evaluation {evaluation.pk} is succeeded: "
            "only a pending or running one can be cancelled",
            "code": "FINISHED",
        }
    ]


def test_another_users_evaluation_cannot_be_cancelled(graphql_as, other_user, qa_program, questions, user):
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=questions, owner=user
    )
    payload = graphql_as(other_user)(CANCEL, {"id": gid(evaluation)}).data["cancelEvaluation"]
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    evaluation.refresh_from_db()
    assert evaluation.status == "pending"
