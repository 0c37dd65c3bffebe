"""createProgram / executeProgram with a wrapping program type (best_of_n with an allow-listed reward)."""

from __future__ import annotations

import pytest

from tests.engine.modules.replies import chat
from tests.graphql.conftest import gid

pytestmark = pytest.mark.django_db

LABEL_REWARD = {"name": "one_of", "params": {"field": "label", "choices": ["positive", "negative"]}}


def test_graphql_creates_and_executes_a_best_of_n_program(graphql, openai_stub, stub_lm_config, user):
    from programs.services import signature_create

    signature = signature_create(name="sentiment", spec="sentence -> label", owner=user)
    created = graphql(
        """mutation($input: CreateProgramInput!) { createProgram(input: $input) {
             program { id moduleType moduleConfig } errors { field message } } }""",
        {
            "input": {
                "name": "voted",
                "signature": gid(signature),
                "moduleType": "best_of_n",
                "moduleConfig": {"N": 2, "threshold": 1.0, "reward": LABEL_REWARD},
                "lmConfig": stub_lm_config,
            }
        },
    ).data["createProgram"]
    assert created["errors"] == [] and created["program"]["moduleType"] == "best_of_n"
    openai_stub.script(chat(label="meh"), chat(label="negative"))
    payload = graphql(
        "mutation($id: ID!, $inputs: JSON!) { executeProgram(id: $id, inputs: $inputs) { outputs } }",
        {"id": created["program"]["id"], "inputs": {"sentence": "Dull."}},
    ).data["executeProgram"]
    assert payload["outputs"] == {"label": "negative"}

    bad = graphql(
        """mutation($input: CreateProgramInput!) { createProgram(input: $input) {
             program { id } errors { field message } } }""",
        {"input": {"name": "bad", "signature": gid(signature), "moduleType": "refine",
                   "moduleConfig": {"N": 2, "threshold": 1.0, "reward": "eval"}}},
    ).data["createProgram"]  # fmt: skip
    assert bad["program"] is None
    assert any("unknown reward 'eval'" in e["message"] for e in bad["errors"])
