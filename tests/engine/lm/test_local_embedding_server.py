"""The local model's embedding server: its own process, embedding mode, local file only."""

from __future__ import annotations

from pathlib import Path

import pytest

import dspex
from dspex.lm.embedder import reset_embedding_cache
from dspex.lm.local import server
from tests.stubs.openai_stub import fake_embedding


def test_the_embedding_server_serves_the_local_file_in_embedding_mode(tmp_path):
    model_path = tmp_path / "model.gguf"
    command = server.LocalServer(model_path, embedding=True).command()
    assert command[command.index("--embedding") + 1] == "true"
    assert command[command.index("--model") + 1] == str(model_path)
    assert not any("hf_" in part or "repo" in part for part in command)
    assert "--embedding" not in server.LocalServer(model_path).command()


def test_embeddings_and_completions_get_one_server_each(monkeypatch):
    started = []

    class FakeServer:
        def __init__(self, model_path, embedding=False):
            self.embedding = embedding
            self.alive = False
            self.base_url = f"http://127.0.0.1:{9001 + len(started)}/v1"

        def start(self):
            started.append(self.embedding)
            self.alive = True
            return self.base_url

        def stop(self):
            pass

    monkeypatch.delenv("DSPEX_LOCAL_LM_BASE_URL", raising=False)
    monkeypatch.delenv("DSPEX_LOCAL_EMBEDDER_BASE_URL", raising=False)
    monkeypatch.setattr(server, "LocalServer", FakeServer)
    monkeypatch.setattr(server, "ensure_model_file", lambda name: Path(f"/models/{name}.gguf"))
    monkeypatch.setattr(server, "_supervisors", {})
    monkeypatch.setattr(server, "_by_url", {})

    embed_url = server.ensure_embedding_server()
    chat_url = server.ensure_server()
    assert server.ensure_embedding_server() == embed_url != chat_url
    assert started == [True, False]
    assert server.embedding_server_ready()


def test_a_running_embedding_server_in_the_environment_is_used(openai_stub, monkeypatch):
    reset_embedding_cache()
    monkeypatch.setenv("DSPEX_LOCAL_EMBEDDER_BASE_URL", openai_stub.base_url + "/")
    vectors = dspex.Embedder("local/gemma-3-270m", cache=False)(["a gem", "a dud"])
    assert vectors == [pytest.approx(fake_embedding("a gem")), pytest.approx(fake_embedding("a dud"))]
    assert openai_stub.requests[0].json["model"] == "gemma-3-270m"
