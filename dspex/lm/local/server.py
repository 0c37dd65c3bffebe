"""A managed ``llama_cpp.server`` subprocess, started lazily once per process."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from dspex.lm.errors import LMError
from dspex.lm.local.model import BASE_URL_ENV, EMBEDDER_BASE_URL_ENV, dspex_home, ensure_model_file

__all__ = [
    "CHAT_FORMAT",
    "N_CTX",
    "LocalServer",
    "embedding_server_ready",
    "ensure_embedding_server",
    "ensure_server",
    "server_ready",
    "stop_server",
]

CHAT_FORMAT = "gemma"
N_CTX = 4096
START_TIMEOUT = 180.0


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class LocalServer:
    """One ``llama_cpp.server`` process serving one GGUF file over the OpenAI API.

    ``embedding=True`` starts it in embedding mode (``/v1/embeddings``; llama.cpp cannot generate
    and embed with one context, so embeddings get a server of their own). The model is always a
    local file: the server is never given a repository to download from.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_ctx: int = N_CTX,
        n_threads: int | None = None,
        embedding: bool = False,
    ) -> None:
        self.model_path = model_path
        self.embedding = embedding
        self.host = host
        self.port = port or _free_port(host)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = dspex_home() / "logs" / f"llama-server-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--chat_format", CHAT_FORMAT,
            "--n_ctx", str(self.n_ctx),
            "--host", self.host,
            "--port", str(self.port),
            "--n_threads", str(self.n_threads),
            # By default a new request cuts a running stream short (ending it with [DONE] as if
            # it had finished); requests are queued instead.
            "--interrupt_requests", "false",
            # llama_cpp.server defaults to logits for every prompt token (only logprobs need them);
            # with gemma's 262k-token vocabulary that doubled the time of a few-shot call here.
            "--logits_all", "false",
        ]  # fmt: skip
        if self.embedding:
            command += ["--embedding", "true"]
        return command

    def start(self, timeout: float = START_TIMEOUT) -> str:
        """Start the process and wait until it answers; returns the base URL."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        spawned = threading.Event()
        failure: list[BaseException] = []
        # The kernel's parent-death signal fires when the *thread* that forked exits, so the
        # process is spawned (and waited on) by a thread that lives exactly as long as it does.
        watcher = threading.Thread(
            target=self._spawn_and_wait,
            args=(spawned, failure),
            name=f"dspex-local-lm-{self.port}",
            daemon=True,
        )
        watcher.start()
        spawned.wait()
        if failure:
            raise LMError(f"cannot start the local model server: {failure[0]}") from failure[0]
        self._wait_ready(timeout)
        return self.base_url

    def _spawn_and_wait(self, spawned: threading.Event, failure: list[BaseException]) -> None:
        try:
            with self.log_path.open("wb") as log:
                process = subprocess.Popen(
                    self.command(),
                    # The model is a local file; make sure no Hugging Face download can start.
                    env={**os.environ, "HF_HUB_OFFLINE": "1"},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )
        except OSError as exc:
            failure.append(exc)
            spawned.set()
            return
        self.process = process
        spawned.set()
        process.wait()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise LMError(
                        f"local model server exited with code {self.process.returncode} "
                        f"before it was ready; log tail:\n{self.log_tail()}"
                    )
                try:
                    if client.get(self.base_url + "/models").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise LMError(
                        f"local model server not ready after {timeout:.0f}s; log tail:\n{self.log_tail()}"
                    )
                time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_servers: dict[str, LocalServer] = {}
_urls: dict[str, str] = {}
_owner_pid = os.getpid()
_lock = threading.Lock()


def ensure_server(model_name: str = "gemma-3-270m") -> str:
    """Base URL of the server for ``model_name``, started on first use (thread-safe).

    ``$DSPEX_LOCAL_LM_BASE_URL``, when set, wins and nothing is started.
    """
    configured = os.environ.get(BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    url = _urls.get(model_name)
    if url is not None:
        return url
    return _start(model_name)


def server_ready(model_name: str = "gemma-3-270m") -> bool:
    """Whether :func:`ensure_server` returns without starting anything."""
    return model_name in _urls or bool(os.environ.get(BASE_URL_ENV))


def _embedding_key(model_name: str) -> str:
    return f"{model_name}#embedding"


def ensure_embedding_server(model_name: str = "gemma-3-270m") -> str:
    """Base URL of the embedding-mode server for ``model_name``, started on first use.

    ``$DSPEX_LOCAL_EMBEDDER_BASE_URL``, when set, wins and nothing is started.
    """
    configured = os.environ.get(EMBEDDER_BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    url = _urls.get(_embedding_key(model_name))
    if url is not None:
        return url
    return _start(model_name, embedding=True)


def embedding_server_ready(model_name: str = "gemma-3-270m") -> bool:
    """Whether :func:`ensure_embedding_server` returns without starting anything."""
    return _embedding_key(model_name) in _urls or bool(os.environ.get(EMBEDDER_BASE_URL_ENV))


def _start(model_name: str, embedding: bool = False) -> str:
    global _owner_pid
    key = _embedding_key(model_name) if embedding else model_name
    with _lock:
        if key not in _urls:
            server = LocalServer(ensure_model_file(model_name), embedding=embedding)
            url = server.start()
            if os.getpid() != _owner_pid:  # first server of a forked child
                _servers.clear()
                _owner_pid = os.getpid()
            _servers[key] = server
            _urls[key] = url
        return _urls[key]


def stop_server() -> None:
    """Terminate the managed servers (only in the process that started them)."""
    if os.getpid() == _owner_pid:
        for server in list(_servers.values()):
            server.stop()
    _servers.clear()
    _urls.clear()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()


atexit.register(stop_server)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
