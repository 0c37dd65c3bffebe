"""An LM answer holding NUL is stored (as U+FFFD), never a database error.

(A lone surrogate cannot arrive from an LM: the JSON decoder refuses its escape.)"""

from __future__ import annotations

import pytest

from programs.models import Execution, LMCallTrace

pytestmark = pytest.mark.django_db


def test_the_execution_and_its_trace_are_recorded_with_a_replacement_character(
    ada_api, openai_stub, qa_program
):
    bad = "\x00"
    openai_stub.script(f"[[ ## answer ## ]]\nPa{bad}ris\n\n[[ ## completed ## ]]")

    response = ada_api.post(f"/api/programs/{qa_program.pk}/execute/", {"question": "q"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["outputs"] == {"answer": "Pa\ufffdris"}
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Pa\ufffdris"}
    [trace] = LMCallTrace.objects.filter(execution=execution)
    assert "\ufffd" in trace.outputs[0] and bad not in trace.outputs[0]


def test_storable_replaces_nul_and_lone_surrogates_in_keys_and_nested_values():
    from core.safe_input import storable

    value = {"a\x00": ["x\ud800", {"b": "ok"}], "n": 3, "t": ("\x00",)}

    assert storable(value) == {"a\ufffd": ["x\ufffd", {"b": "ok"}], "n": 3, "t": ["\ufffd"]}
