"""ReAct (with the allow-listed tools) and pipelines are program types: created, validated with
errors that point at the step, executed and recorded over REST."""

from __future__ import annotations

import json

import pytest

from programs.models import Execution
from tests.engine.modules.replies import chat

pytestmark = pytest.mark.django_db

PIPELINE = {
    "steps": [
        {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
        {
            "kind": "conditional",
            "id": "final",
            "if": "'unsure' in lower(draft.draft)",
            "then": [{"id": "rethink", "module": "predict", "signature": "question, draft -> answer"}],
            "else": [{"id": "polish", "module": "predict", "signature": "draft -> answer"}],
        },
    ],
    "output_map": {"answer": "final.answer"},
}


def create(client, signature_id, stub_lm_config, **fields):
    body = {"name": fields.pop("name", "p"), "signature": signature_id, "lm_config": stub_lm_config, **fields}
    return client.post("/api/programs/", body, format="json")


@pytest.fixture
def qa_signature_id(ada_api):
    return ada_api.post(
        "/api/signatures/", {"name": "qa", "spec": "question -> answer"}, format="json"
    ).json()["id"]


def test_a_pipeline_program_runs_its_steps_and_records_them(
    ada_api, openai_stub, stub_lm_config, qa_signature_id
):
    created = create(ada_api, qa_signature_id, stub_lm_config, module_type="pipeline", module_config=PIPELINE)
    assert created.status_code == 201, created.json()
    openai_stub.script(
        chat(reasoning="Easy.", draft="Paris, surely"),
        chat(answer="Paris"),
    )
    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "Capital of France?"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["outputs"] == {"answer": "Paris"}
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    steps = {step["id"]: step for step in execution.steps}
    assert set(steps) >= {"draft", "final", "polish"} and "rethink" not in steps
    assert steps["polish"]["outputs"] == {"answer": "Paris"}
    assert execution.lm_calls.count() == 2
    detail = ada_api.get(f"/api/executions/{execution.pk}/").json()
    assert [s["id"] for s in detail["steps"]] == [s["id"] for s in execution.steps]


def test_a_bad_pipeline_is_a_400_pointing_at_the_step(ada_api, stub_lm_config, qa_signature_id):
    spec = json.loads(json.dumps(PIPELINE))
    spec["steps"][1]["else"][0]["signature"] = "draft -> answer: list[int"
    spec["steps"][1]["if"] = "draft.nope >"
    response = create(ada_api, qa_signature_id, stub_lm_config, module_type="pipeline", module_config=spec)
    assert response.status_code == 400
    messages = " ".join(response.json()["module_config"])
    assert "steps[1].else[0].signature" in messages
    assert "steps[1].if" in messages


def test_a_react_program_uses_the_allow_listed_calculator(
    ada_api, openai_stub, stub_lm_config, qa_signature_id
):
    created = create(
        ada_api,
        qa_signature_id,
        stub_lm_config,
        module_type="react",
        module_config={"tools": ["calculator"], "max_iters": 4},
    )
    assert created.status_code == 201, created.json()
    openai_stub.script(
        chat(next_thought="Compute.", next_tool_name="calculator", next_tool_args={"expression": "6 * 7"}),
        chat(next_thought="Done.", next_tool_name="finish", next_tool_args={}),
        chat(reasoning="6*7=42", answer="42"),
    )
    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "What is 6 times 7?"}, format="json"
    )
    assert response.status_code == 200, response.json()
    outputs = response.json()["outputs"]
    assert outputs["answer"] == "42"
    assert outputs["trajectory"]["observation_0"] == 42
    assert outputs["trajectory"]["tool_name_1"] == "finish"


def test_a_tool_outside_the_allow_list_is_refused(ada_api, stub_lm_config, qa_signature_id):
    response = create(
        ada_api, qa_signature_id, stub_lm_config, module_type="react", module_config={"tools": ["os.system"]}
    )
    assert response.status_code == 400
    assert "unknown tool 'os.system'" in " ".join(response.json()["module_config"])


def test_the_dataset_search_tool_sees_only_the_owners_datasets(
    ada_api, openai_stub, stub_lm_config, qa_signature_id, user, other_user, make_dataset
):
    make_dataset(user, name="capitals", lines=[{"question": "Capital of Peru?", "answer": "Lima"}])
    make_dataset(other_user, name="secret", lines=[{"question": "Capital of Peru?", "answer": "Hidden"}])
    created = create(
        ada_api,
        qa_signature_id,
        stub_lm_config,
        module_type="react",
        module_config={"tools": ["search_examples"]},
    )
    assert created.status_code == 201, created.json()
    search = {"query": "capital peru", "dataset": "capitals"}
    openai_stub.script(
        chat(next_thought="Look it up.", next_tool_name="search_examples", next_tool_args=search),
        chat(
            next_thought="Peek.",
            next_tool_name="search_examples",
            next_tool_args={**search, "dataset": "secret"},
        ),
        chat(next_thought="Done.", next_tool_name="finish", next_tool_args={}),
        chat(reasoning="Found it.", answer="Lima"),
    )
    outputs = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/", {"question": "Capital of Peru?"}, format="json"
    ).json()["outputs"]
    trajectory = outputs["trajectory"]
    assert trajectory["observation_0"] == [{"question": "Capital of Peru?", "answer": "Lima"}]
    assert "no dataset named 'secret'" in str(trajectory["observation_1"])
