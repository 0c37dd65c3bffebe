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
