"""An evaluation's admin page: progress bar, aggregate scores and charts (inline SVG), results
drill-down with filters, export buttons and a cancel button."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from evaluations.services import evaluation_create, evaluation_result_record, evaluation_start
from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(user, openai_stub, qa_program):
    answering(openai_stub, wrong={"q1"}, fail={"q2"})
    version = questions_version(user, qa_program.signature, 30)
    return evaluated(qa_program, version, owner=user, metrics=["exact_match", "f1"])


def _page(admin_client, evaluation, **params):
    response = admin_client.get(reverse("admin:evaluations_evaluation_change", args=[evaluation.pk]), params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_page_shows_progress_scores_and_charts(admin_client, evaluation):
    _, html = _page(admin_client, evaluation)
    start = html.index('id="evaluation-summary"')
    summary = html[start : html.index("<fieldset", start)]
    assert summary.count("<svg") >= 3  # progress bar, score per metric, distribution
    assert "30/30 examples (100%)" in summary
    assert 'id="evaluation-score">93.3%</strong>' in summary
    assert "exact_match <strong>93.3%</strong>" in summary and "f1 <strong>93.3%</strong>" in summary
    assert "1 failed example" in summary
    assert 'src="http' not in summary and "<script" not in summary  # no CDN, no JavaScript
    assert 'http-equiv="refresh"' not in html  # finished: no refreshing
    assert 'id="evaluation-cancel"' not in html


def test_the_results_drill_down_pages_and_filters(admin_client, evaluation):
    response, html = _page(admin_client, evaluation)
    assert len(response.context["results_rows"]) == 25
    assert response.context["results_page"].paginator.count == 30
    result = evaluation.results.get(example__position=1)
    assert reverse("admin:evaluations_evaluationresult_change", args=[result.pk]) in html
    response, html = _page(admin_client, evaluation, results="errors")
    [row] = response.context["results_rows"]
    assert row["result"].example.position == 2 and "ServerError" in html
    response, _ = _page(admin_client, evaluation, results="wrong")
    assert [row["result"].example.position for row in response.context["results_rows"]] == [1]
    response, _ = _page(admin_client, evaluation, results_max="0.5")
    assert [row["result"].example.position for row in response.context["results_rows"]] == [1]
    response, _ = _page(admin_client, evaluation, results_min="0.5", results_page="2")
    assert len(response.context["results_rows"]) == 3  # 28 scored 1: a second page of 3


def test_a_result_page_shows_inputs_labels_and_prediction(admin_client, evaluation):
    result = evaluation.results.get(example__position=1)
    html = admin_client.get(
        reverse("admin:evaluations_evaluationresult_change", args=[result.pk])
    ).content.decode()
    assert "q1" in html and "a1" in html and "nope" in html


def test_the_result_list_filters_errors(admin_client, evaluation):
    url = reverse("admin:evaluations_evaluationresult_changelist")
    response = admin_client.get(url, {"has_error": "yes", "evaluation__id__exact": evaluation.pk})
    assert response.context["cl"].result_count == 1
    response = admin_client.get(url, {"score_range": "0"})
    assert response.context["cl"].result_count == 1


def test_export_buttons_download_csv_and_json(admin_client, evaluation):
    _, html = _page(admin_client, evaluation)
    for fmt in ("csv", "json"):
        url = reverse("admin:evaluations_evaluation_export", args=[evaluation.pk, fmt])
        assert url in html
    response = admin_client.get(reverse("admin:evaluations_evaluation_export", args=[evaluation.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 30 and rows[1]["prediction.answer"] == "nope"
    assert (
        admin_client.get(
            reverse("admin:evaluations_evaluation_export", args=[evaluation.pk, "xml"])
        ).status_code
        == 404
    )


def test_a_running_evaluation_refreshes_and_can_be_cancelled(admin_client, user, qa_program):
    version = questions_version(user, qa_program.signature, 4, name="running")
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, owner=user
    )
    evaluation_start(evaluation=evaluation)
    evaluation_result_record(
        evaluation=evaluation,
        example=version.examples.get(position=0),
        prediction={"answer": "a0"},
        score=1.0,
    )
    _, html = _page(admin_client, evaluation)
    assert 'http-equiv="refresh"' in html
    assert "1/4 examples (25%)" in html
    response = admin_client.post(
        reverse("admin:evaluations_evaluation_action", args=[evaluation.pk, "cancel"])
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "cancelled" and evaluation.results.count() == 1


def test_cancelling_needs_a_post(admin_client, evaluation):
    page = admin_client.get(reverse("admin:evaluations_evaluation_action", args=[evaluation.pk, "cancel"]))
    assert page.status_code == 200 and 'method="post"' in page.content.decode()  # a confirmation form
    evaluation.refresh_from_db()
    assert evaluation.status != "cancelled"
