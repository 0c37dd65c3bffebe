"""``manage.py dspex_doctor`` and ``python -m dspex doctor``: a table, and exit 1 when a needed part fails."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dspex.__main__ import main as dspex_main
from dspex.lm.local import model

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-doctor-secret-4242"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DATABASE_URL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _row(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(name + " "))


def test_a_working_setup_passes_and_unapplied_migrations_fail(tmp_path):
    database = f"sqlite:///{tmp_path / 'doctor.sqlite3'}"

    before = _manage("dspex_doctor", "--no-local", DATABASE_URL=database)
    migrated = _manage("migrate", "--noinput", DATABASE_URL=database)
    after = _manage("dspex_doctor", DATABASE_URL=database)

    assert before.returncode == 1
    assert "FAIL" in _row(before.stdout, "migrations") and "run manage.py migrate" in before.stdout
    assert migrated.returncode == 0, migrated.stderr
    assert after.returncode == 0, after.stdout + after.stderr
    for name in (
        "python",
        "packages",
        "database",
        "migrations",
        "broker",
        "local model file",
        "local runtime",
    ):
        assert " ok " in _row(after.stdout, name) + " ", name
    assert "completed one token" in _row(after.stdout, "local runtime")
    assert "eagerly" in _row(after.stdout, "broker")
    assert "all required checks passed" in after.stdout


def test_an_unreachable_broker_is_reported_with_exit_code_1(tmp_path):
    result = _manage(
        "dspex_doctor",
        "--no-local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'doctor.sqlite3'}",
        CELERY_BROKER_URL="redis://:brokerpass@127.0.0.1:1/0",
    )

    assert result.returncode == 1
    row = _row(result.stdout, "broker")
    assert "FAIL" in row and "unreachable" in row
    assert "brokerpass" not in result.stdout  # the URL's password is masked


def test_a_reachable_broker_without_workers_fails_the_workers_row(tmp_path):
    result = _manage(
        "dspex_doctor",
        "--no-local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'doctor.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/14",
    )

    assert result.returncode == 1
    assert "reachable" in _row(result.stdout, "broker") and " ok " in _row(result.stdout, "broker")
    assert "FAIL" in _row(result.stdout, "workers") and "no worker answered" in result.stdout


def test_a_missing_model_package_fails_the_local_model_row(monkeypatch, capsys):
    monkeypatch.setitem(model.LOCAL_MODELS, "gemma-3-270m", "no_such_model_package")

    code = dspex_main(["doctor"])

    output = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in _row(output, "local model file")
    assert "'no_such_model_package' is not installed" in output


def test_a_configured_endpoint_without_its_key_variable_fails(openai_stub, monkeypatch, capsys):
    monkeypatch.delenv("DOCTOR_KEY", raising=False)

    code = dspex_main(
        ["doctor", "--no-local", "--endpoint", f"stub=openai,{openai_stub.base_url},DOCTOR_KEY"]
    )

    output = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in _row(output, "endpoint stub") and "DOCTOR_KEY is not set" in output
    assert openai_stub.requests == []  # nothing is sent without the key


def test_a_reachable_endpoint_is_ok_and_its_key_is_sent_but_never_printed(openai_stub, monkeypatch, capsys):
    monkeypatch.setenv("DOCTOR_KEY", SECRET)

    code = dspex_main(
        ["doctor", "--no-local", "--endpoint", f"stub=openai,{openai_stub.base_url},DOCTOR_KEY"]
    )

    output = capsys.readouterr().out
    assert code == 0, output
    assert " ok " in _row(output, "endpoint stub") and "key from DOCTOR_KEY" in output
    assert SECRET not in output
    sent = {k.lower(): v for k, v in openai_stub.requests[-1].headers.items()}
    assert sent["authorization"] == f"Bearer {SECRET}"


class _Refusing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_an_endpoint_that_refuses_the_key_fails(refusing_server, monkeypatch, capsys):
    monkeypatch.setenv("DOCTOR_KEY", SECRET)

    code = dspex_main(["doctor", "--no-local", "--endpoint", f"bad=openai,{refusing_server},DOCTOR_KEY"])

    output = capsys.readouterr().out
    assert code == 1
    assert "refused the key in DOCTOR_KEY (HTTP 401)" in _row(output, "endpoint bad")
    assert SECRET not in output


def test_an_unreachable_endpoint_fails(monkeypatch, capsys):
    code = dspex_main(["doctor", "--no-local", "--endpoint", "gone=openai,http://127.0.0.1:1/v1"])

    output = capsys.readouterr().out
    assert code == 1
    assert "unreachable" in _row(output, "endpoint gone")


def test_an_operator_endpoint_without_its_key_fails_and_the_defaults_only_warn(tmp_path):
    result = _manage(
        "dspex_doctor",
        "--no-local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'doctor.sqlite3'}",
        DSPEX_LM_ENDPOINTS='{"vllm": {"provider": "openai", "base_url": "http://127.0.0.1:1/v1", '
        '"key_env": "VLLM_DOCTOR_KEY", "models": ["*"], "allow_private": true}}',
        OPENAI_API_KEY="",
        ANTHROPIC_API_KEY="",
    )

    assert result.returncode == 1
    assert "FAIL" in _row(result.stdout, "endpoint vllm") and "VLLM_DOCTOR_KEY is not set" in result.stdout
    assert "warn" in _row(result.stdout, "endpoint openai")
    assert "endpoint vllm" in result.stdout.split("required check(s) failed:")[1]
    assert "endpoint openai" not in result.stdout.split("required check(s) failed:")[1]
