"""best_of_n, refine and parallel (majority vote) are program types: they wrap another module type,
take an allow-listed reward by name, and are created, validated, executed and optimized from REST,
GraphQL, the admin and the shell."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Execution, Program
from tests.api.test_reasoning_modules_and_pipelines_are_programs import create
from tests.engine.modules.replies import chat

pytestmark = pytest.mark.django_db

CAPITALIZED = {"name": "matches", "params": {"pattern": "[A-Z].+"}}
LABEL_REWARD = {"name": "one_of", "params": {"field": "label", "choices": ["positive", "negative"]}}


@pytest.fixture
def sentiment_id(ada_api):
    return ada_api.post(
        "/api/signatures/", {"name": "sentiment", "spec": "sentence -> label"}, format="json"
    ).json()["id"]


def execute(client, program_id, **inputs):
    return client.post(f"/api/programs/{program_id}/execute/", inputs, format="json")


def test_best_of_n_keeps_sampling_until_the_reward_is_met(ada_api, openai_stub, stub_lm_config, sentiment_id):
    config = {"module": "predict", "N": 3, "threshold": 1.0, "reward": LABEL_REWARD}
    created = create(ada_api, sentiment_id, stub_lm_config, module_type="best_of_n", module_config=config)
    assert created.status_code == 201, created.json()
    openai_stub.script(chat(label="it is good"), chat(label="positive"), chat(label="never asked"))

    response = execute(ada_api, created.json()["id"], sentence="A fine film.")

    assert response.status_code == 200, response.json()
    assert response.json()["outputs"] == {"label": "positive"}
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert [(s["kind"], s["data"]["reward"]) for s in execution.steps] == [
        ("best_of_n.attempt", 0.0),
        ("best_of_n.attempt", 1.0),
    ]
    assert execution.lm_calls.count() == 2


def test_refine_passes_advice_to_the_next_attempt(ada_api, openai_stub, stub_lm_config, sentiment_id):
    config = {
        "module": "chain_of_thought",
        "N": 2,
        "threshold": 1.0,
        "reward": {"name": "max_words", "params": {"limit": 1}},
    }
    created = create(ada_api, sentiment_id, stub_lm_config, module_type="refine", module_config=config)
    assert created.status_code == 201, created.json()
    openai_stub.script(
        chat(reasoning="Nice words.", label="clearly positive"),
        chat(discussion="Too wordy.", advice={"predict": "Answer with one word."}),
        chat(reasoning="Nice words.", label="positive"),
    )

    response = execute(ada_api, created.json()["id"], sentence="A fine film.")

    assert response.status_code == 200, response.json()
    assert response.json()["outputs"]["label"] == "positive"
    last_prompt = openai_stub.completion_requests()[-1].json["messages"][-1]["content"]
    assert "Answer with one word." in last_prompt
    kinds = [s["kind"] for s in Execution.objects.get(pk=response.json()["execution_id"]).steps]
    assert kinds.count("refine.attempt") == 2 and "refine.advice" in kinds


def test_parallel_returns_the_majority_of_its_samples(ada_api, openai_stub, stub_lm_config, sentiment_id):
    config = {"module": "predict", "n": 3, "num_threads": 3}
    created = create(ada_api, sentiment_id, stub_lm_config, module_type="parallel", module_config=config)
    assert created.status_code == 201, created.json()
    openai_stub.script(chat(label="negative"), chat(label="positive"), chat(label="negative"))

    response = execute(ada_api, created.json()["id"], sentence="Dull.")

    assert response.status_code == 200, response.json()
    assert response.json()["outputs"] == {"label": "negative"}
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.lm_calls.count() == 3
    assert sorted(s["data"]["sample"] for s in execution.steps) == [0, 1, 2]


@pytest.mark.parametrize(
    ("module_type", "config", "message"),
    [
        ("best_of_n", {"N": 2, "threshold": 1.0}, "best_of_n needs a reward (allowed: matches, max_words"),
        ("refine", {"N": 2, "threshold": 1.0, "reward": "os.system"}, "unknown reward 'os.system'"),
        ("best_of_n", {"N": 2, "threshold": 1, "reward": {"name": "max_words"}}, "missing a required"),
        ("best_of_n", {"N": 2, "threshold": 1, "reward": {"name": "matches", "params": {"pattern": "("}}},
         "invalid pattern"),
        ("best_of_n", {"N": 2, "threshold": 1, "reward_fn": "print"}, "with 'reward', not 'reward_fn'"),
        ("parallel", {"module": "pipeline"}, "a module type other than pipeline"),
        ("parallel", {"module": "nope"}, "unknown module type 'nope'"),
        ("parallel", {"n": 0}, "n must be at least 1"),
        ("parallel", {"module": "react", "module_config": {"tools": ["rm"]}}, "unknown tool 'rm'"),
        ("best_of_n", {"N": 2, "threshold": 1, "reward": "non_empty", "temperature": 2}, "temperature"),
    ],
)  # fmt: skip
def test_a_bad_config_is_a_400_that_says_why(
    ada_api, stub_lm_config, sentiment_id, module_type, config, message
):
    response = create(ada_api, sentiment_id, stub_lm_config, module_type=module_type, module_config=config)
    assert response.status_code == 400
    assert message in " ".join(response.json()["module_config"])


def test_the_inner_module_can_use_tools(ada_api, openai_stub, stub_lm_config):
    signature_id = ada_api.post(
        "/api/signatures/", {"name": "math", "spec": "question -> answer"}, format="json"
    ).json()["id"]
    config = {
        "module": "react",
        "module_config": {"tools": ["calculator"], "max_iters": 3},
        "N": 2,
        "threshold": 1.0,
        "reward": {"name": "matches", "params": {"field": "answer", "pattern": "[0-9]+"}},
    }
    created = create(ada_api, signature_id, stub_lm_config, module_type="best_of_n", module_config=config)
    assert created.status_code == 201, created.json()
    openai_stub.script(
        chat(next_thought="Compute.", next_tool_name="calculator", next_tool_args={"expression": "6 * 7"}),
        chat(next_thought="Done.", next_tool_name="finish", next_tool_args={}),
        chat(reasoning="6*7=42", answer="42"),
    )
    outputs = execute(ada_api, created.json()["id"], question="6 times 7?").json()["outputs"]
    assert outputs["answer"] == "42" and outputs["trajectory"]["observation_0"] == 42


def test_the_admin_adds_a_parallel_program(admin_client, qa_signature):
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "name": "voter",
            "description": "",
            "signature": qa_signature.pk,
            "module_type": "parallel",
            "module_config": '{"module": "chain_of_thought", "n": 5}',
            "backend": "auto",
            "lm_config": '{"model": "openai/gpt-4o-mini", "api_key_env": "OPENAI_API_KEY"}',
            "owner": "",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(name="voter")
    assert set(program.current_version.state) == {"module.predict"}


def test_the_admin_form_shows_an_unknown_reward(admin_client, qa_signature):
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "name": "bad",
            "signature": qa_signature.pk,
            "module_type": "best_of_n",
            "module_config": '{"N": 2, "threshold": 1, "reward": "__import__"}',
            "backend": "auto",
            "lm_config": '{"model": "openai/gpt-4o-mini"}',
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "unknown reward" in response.content.decode()
    assert not Program.objects.filter(name="bad").exists()


def test_the_shell_optimizes_a_best_of_n_program(
    user,
    qa_signature,
    stub_lm_config,
    capitals_version,
    demo_dependent_stub,
    django_capture_on_commit_callbacks,
):
    from programs.services import program_create

    program = program_create(
        name="best-capital",
        signature=qa_signature,
        module_type="best_of_n",
        module_config={"N": 2, "threshold": 1, "reward": CAPITALIZED},
        lm_config=stub_lm_config,
        owner=user,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        experiment = program.optimize(
            capitals_version,
            params={"max_bootstrapped_demos": 2, "max_labeled_demos": 2},
            promote=True,
        )
    experiment.refresh_from_db()
    assert experiment.status == "succeeded", experiment.error
    assert (experiment.baseline_score, experiment.best_score) == (0.0, 100.0)
    assert len(experiment.result_version.state["module"]["demos"]) == 2
    program.refresh_from_db()
    assert program.execute(question="Capital of Japan?").answer == "Tokyo"


def test_a_best_of_n_program_streams_and_records_its_attempts(
    ada_api, openai_stub, stub_lm_config, sentiment_id
):
    from tests.api.test_execute_streams_server_sent_events import events_of

    config = {"module": "predict", "N": 2, "threshold": 1.0, "reward": LABEL_REWARD}
    created = create(ada_api, sentiment_id, stub_lm_config, module_type="best_of_n", module_config=config)
    openai_stub.script(chat(label="so-so"), chat(label="positive"))

    response = ada_api.post(
        f"/api/programs/{created.json()['id']}/execute/?stream=true", {"sentence": "Fine."}, format="json"
    )

    events = events_of(response)
    assert events[-1] == ("prediction", events[-1][1]) and events[-1][1]["outputs"] == {"label": "positive"}
    assert any(kind == "chunk" for kind, _ in events)
    execution = Execution.objects.get(pk=events[0][1]["execution_id"])
    assert [s["data"]["reward"] for s in execution.steps] == [0.0, 1.0]
