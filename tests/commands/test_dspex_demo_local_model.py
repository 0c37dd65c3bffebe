"""``manage.py dspex_demo`` for real: the bundled gemma-3-270m model through llama.cpp."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from programs.models import Execution, LMCallTrace

pytestmark = [pytest.mark.local_model, pytest.mark.django_db]


def test_the_demo_classifies_two_sentences_with_the_local_model():
    out = io.StringIO()
    call_command("dspex_demo", "--n", "2", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "DSPex demo: local/gemma-3-270m, 4 demos, 2 SST-2 dev sentences" in text
    assert "accuracy " in text and "/2 = " in text
    executions = list(Execution.objects.all())
    assert len(executions) == 2
    assert all(e.status == Execution.Status.SUCCEEDED for e in executions)
    assert {e.outputs["label"] for e in executions} <= {"positive", "negative"}
    assert LMCallTrace.objects.filter(model="local/gemma-3-270m").count() >= 2


def test_the_optimize_step_runs_end_to_end_on_the_local_model():
    from evaluations.models import Evaluation
    from experiments.models import Experiment

    out = io.StringIO()
    call_command("dspex_demo", "--n", "3", "--optimize", stdout=out, stderr=io.StringIO())
    text = out.getvalue()

    assert "accuracy on 3 held-out dev sentences: zero-shot " in text and "-> optimized " in text
    experiment = Experiment.objects.get()
    assert experiment.status == "succeeded", experiment.error
    demos = experiment.result_version.state["demos"]
    assert len(demos) == 4 and {d["label"] for d in demos} == {"positive", "negative"}
    before, after = Evaluation.objects.order_by("pk")
    assert after.status == "succeeded" and after.examples_done == 3
    assert before.examples_done == 3  # zero-shot: each sentence has a result row (maybe a failure)
    assert after.program_version == experiment.result_version
