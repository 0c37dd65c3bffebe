"""Over REST, a pipeline bomb that can be seen in the spec is a 400 when the program is saved;
one that only shows at run time fails the Execution (502, ``failed``) with a message naming the
step and the budget. The operator's ``DSPEX_PIPELINE_LIMITS`` apply to both."""

from __future__ import annotations

import pytest

from programs.models import Execution
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def spec(answer: str) -> dict:
    return {
        "inputs": ["question"],
        "outputs": ["answer"],
        "steps": [{"id": "draft", "module": "predict", "signature": "question -> draft"}],
        "output_map": {"answer": answer},
    }


@pytest.fixture
def signature_id(ada_api):
    return ada_api.post(
        "/api/signatures/", {"name": "qa", "spec": "question -> answer"}, format="json"
    ).json()["id"]


def create(client, signature_id, lm_config, module_config):
    body = {
        "name": "bomb",
        "signature": signature_id,
        "lm_config": lm_config,
        "module_type": "pipeline",
        "module_config": module_config,
    }
    return client.post("/api/programs/", body, format="json")


def test_a_constant_bomb_is_a_400_naming_the_path_and_the_budget(ada_api, signature_id, stub_lm_config):
    response = create(ada_api, signature_id, stub_lm_config, spec("str([[1] * 100000] * 100000)"))
    assert response.status_code == 400
    messages = " ".join(response.json()["module_config"])
    assert "output_map.answer" in messages and "(max_elements)" in messages


def test_a_bomb_built_from_a_step_output_fails_the_run_naming_step_and_budget(
    ada_api, openai_stub, signature_id, stub_lm_config
):
    created = create(ada_api, signature_id, stub_lm_config, spec("str([[draft.draft] * 100000] * 100000)"))
    assert created.status_code == 201, created.json()
    openai_stub.script(reply(draft="boom"))
    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "q"}, format="json"
    )
    assert response.status_code == 502
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.status == "failed"
    assert "output_map.answer" in execution.error and "(max_elements)" in execution.error


def test_the_operators_limits_apply_when_saving_and_running(
    settings, ada_api, openai_stub, signature_id, stub_lm_config
):
    settings.DSPEX_PIPELINE_LIMITS = {"max_elements": 50}
    response = create(ada_api, signature_id, stub_lm_config, spec("str([1] * 60)"))
    assert response.status_code == 400
    assert "more than the budget of 50 (max_elements)" in " ".join(response.json()["module_config"])

    created = create(ada_api, signature_id, stub_lm_config, spec("str([draft.draft] * 60)"))
    openai_stub.script(reply(draft="x"))
    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "q"}, format="json"
    )
    assert response.status_code == 502
    assert "budget of 50 (max_elements)" in response.json()["error"]

    settings.DSPEX_PIPELINE_LIMITS = {}
    openai_stub.script(reply(draft="x"))
    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "q"}, format="json"
    )
    assert response.status_code == 200, response.json()
