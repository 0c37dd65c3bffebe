"""The managed llama.cpp server: assembled once, started once, errors that say why."""

from __future__ import annotations

import asyncio
import sys
import threading
import types
from pathlib import Path

import pytest

from dspex.lm import LM, LMError
from dspex.lm.local import model, server

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DSPEX_HOME", str(tmp_path))
    monkeypatch.delenv("DSPEX_LOCAL_LM_BASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    chunks = []
    for i, data in enumerate([b"GGUF", b"-part-two"]):
        path = tmp_path / f"chunk{i}"
        path.write_bytes(data)
        chunks.append(path)
    assembled = []

    def assemble(output_path):
        assembled.append(output_path)
        Path(output_path).write_bytes(b"".join(p.read_bytes() for p in chunks))
        return Path(output_path)

    bundle = types.SimpleNamespace(MODEL_NAME="fake.gguf", chunk_paths=lambda: chunks, assemble=assemble)
    monkeypatch.setitem(model.LOCAL_MODELS, "fake-model", "fake_bundle_package")
    real_import = model.importlib.import_module
    monkeypatch.setattr(
        model.importlib,
        "import_module",
        lambda name: bundle if name == "fake_bundle_package" else real_import(name),
    )
    return assembled


def test_the_model_file_is_assembled_once_into_dspex_home(home, fake_bundle):
    first = model.ensure_model_file("fake-model")
    second = model.ensure_model_file("fake-model")

    assert first == second == home / "models" / "fake.gguf"
    assert first.read_bytes() == b"GGUF-part-two"
    assert len(fake_bundle) == 1
    assert list((home / "models").iterdir()) == [first]


def test_a_truncated_model_file_is_assembled_again(home, fake_bundle):
    path = model.ensure_model_file("fake-model")
    path.write_bytes(b"GG")

    model.ensure_model_file("fake-model")

    assert path.read_bytes() == b"GGUF-part-two"
    assert len(fake_bundle) == 2


class _StubBackedServer(server.LocalServer):
    """Serves the OpenAI stub instead of llama.cpp, to test the process management."""

    def command(self) -> list[str]:
        stub = ["-m", "tests.stubs.openai_stub", "--default", "local"]
        return [sys.executable, *stub, "--port", str(self.port)]


class _CrashingServer(server.LocalServer):
    def command(self) -> list[str]:
        return [sys.executable, "-c", "print('error: cannot load model'); raise SystemExit(3)"]


def test_a_started_server_is_polled_until_ready_and_stopped(home, monkeypatch):
    monkeypatch.chdir(ROOT)
    local = _StubBackedServer(home / "model.gguf")

    url = local.start(timeout=20)
    try:
        assert url == f"http://127.0.0.1:{local.port}/v1"
        assert LM("openai/x", base_url=url, cache=False).request("hi").outputs == ["local"]
    finally:
        process = local.process
        local.stop()
    assert process is not None and process.poll() is not None


def test_a_server_that_dies_at_startup_reports_its_exit_code_and_log(home):
    local = _CrashingServer(home / "model.gguf")

    with pytest.raises(LMError) as caught:
        local.start(timeout=20)

    assert "exited with code 3" in str(caught.value)
    assert "error: cannot load model" in str(caught.value)


def test_concurrent_first_requests_start_a_single_server(home, monkeypatch):
    starts = []

    class CountingServer:
        base_url = "http://127.0.0.1:1/v1"

        def __init__(self, model_path, embedding=False):
            self.model_path = model_path
            self.alive = False

        def start(self):
            starts.append(self.model_path)
            threading.Event().wait(0.2)
            self.alive = True
            return self.base_url

        def stop(self):
            pass

    monkeypatch.setattr(server, "LocalServer", CountingServer)
    monkeypatch.setattr(server, "ensure_model_file", lambda name: Path(f"/models/{name}.gguf"))
    monkeypatch.setattr(server, "_supervisors", {})
    monkeypatch.setattr(server, "_by_url", {})

    async def from_tasks():
        from dspex.lm.providers import get_provider

        provider = get_provider("local")
        return await asyncio.gather(*(provider.aresolve_base_url(None, "gemma-3-270m") for _ in range(8)))

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(server.ensure_server())) for _ in range(8)]
    for thread in threads:
        thread.start()
    task_results = asyncio.run(from_tasks())
    for thread in threads:
        thread.join()

    assert starts == [Path("/models/gemma-3-270m.gguf")]
    assert set(results) | set(task_results) == {"http://127.0.0.1:1/v1"}


def test_an_existing_server_url_in_the_environment_wins(monkeypatch):
    monkeypatch.setenv("DSPEX_LOCAL_LM_BASE_URL", "http://10.0.0.5:8080/v1/")

    assert server.ensure_server() == "http://10.0.0.5:8080/v1"
    assert server.server_ready()


def test_the_server_computes_logits_only_for_the_tokens_it_samples(tmp_path):
    command = server.LocalServer(tmp_path / "model.gguf").command()
    assert command[command.index("--logits_all") + 1] == "false"
