"""The admin's comparison page: pick another evaluation of the same examples, see the counts of
improved / regressed / unchanged examples (an SVG chart) and the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(user, openai_stub, qa_program):
    version = questions_version(user, qa_program.signature, 5)
    answering(openai_stub, wrong={"q0", "q1"})
    baseline = evaluated(qa_program, version, owner=user)
    answering(openai_stub, wrong={"q1", "q4"})
    candidate = evaluated(qa_program, version, owner=user)
    elsewhere = evaluated(
        qa_program, questions_version(user, qa_program.signature, 2, name="else"), owner=user
    )
    return candidate, baseline, elsewhere


def _url(evaluation):
    return reverse("admin:evaluations_evaluation_compare", args=[evaluation.pk])


def test_the_evaluation_page_links_to_it(admin_client, trio):
    candidate, _, _ = trio
    html = admin_client.get(
        reverse("admin:evaluations_evaluation_change", args=[candidate.pk])
    ).content.decode()
    assert _url(candidate) in html


def test_only_evaluations_of_the_same_examples_are_offered(admin_client, trio):
    candidate, baseline, _ = trio
    response = admin_client.get(_url(candidate))
    assert response.status_code == 200
    assert list(response.context["candidates"]) == [baseline]


def test_it_shows_counts_chart_and_rows(admin_client, trio):
    candidate, baseline, _ = trio
    response = admin_client.get(_url(candidate), {"other": baseline.pk})
    html = response.content.decode()
    assert response.context["counts"] == {"improved": 1, "regressed": 1, "unchanged": 3, "missing": 0}
    counts = html[html.index('id="compare-counts"') :]
    assert counts.startswith('id="compare-counts">') and "<svg" in counts[:400]
    assert 'class="count-improved">improved <strong>1</strong>' in html
    rows = response.context["page"].object_list
    assert [(row.position, row.change) for row in rows] == [
        (0, "improved"), (1, "unchanged"), (2, "unchanged"), (3, "unchanged"), (4, "regressed"),
    ]  # fmt: skip
    assert html.count('class="compare-row change-regressed"') == 1


def test_rows_filter_by_change(admin_client, trio):
    candidate, baseline, _ = trio
    response = admin_client.get(_url(candidate), {"other": baseline.pk, "change": "improved"})
    assert [row.position for row in response.context["page"].object_list] == [0]


def test_another_dataset_version_is_explained(admin_client, trio):
    candidate, _, elsewhere = trio
    response = admin_client.get(_url(candidate), {"other": elsewhere.pk})
    assert response.status_code == 200
    assert "only evaluations of the same dataset version can be compared" in response.context["problem"]
    assert "counts" not in response.context
