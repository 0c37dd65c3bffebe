"""A managed ``llama_cpp.server`` subprocess, started lazily once per process."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from dspex.lm.errors import LMError, LocalModelCrashed
from dspex.lm.local.model import BASE_URL_ENV, EMBEDDER_BASE_URL_ENV, dspex_home, ensure_model_file

__all__ = [
    "CHAT_FORMAT",
    "N_CTX",
    "LocalServer",
    "diagnose",
    "embedding_server_ready",
    "ensure_embedding_server",
    "ensure_server",
    "server_ready",
    "stop_server",
]

logger = logging.getLogger("dspex.lm.local")

CHAT_FORMAT = "gemma"
N_CTX = 4096
START_TIMEOUT = 180.0
# A crashed server is started again once per process; a second crash is final.
MAX_RESTARTS = 1
# A dropped connection can reach the client a moment before the dying process is reaped.
_EXIT_GRACE = 2.0
DOCTOR_HINT = (
    "Check the local runtime with `python -m dspex doctor` (or `python manage.py dspex_doctor`); "
    "if it crashes there too, rebuild it portably with `DSPEX_REBUILD_LLAMA=1 scripts/bootstrap`."
)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


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
        self.returncode: int | None = None
        self.exited = threading.Event()
        self.stopping = False
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
            self.exited.set()
            return
        self.process = process
        spawned.set()
        self.returncode = process.wait()
        self.exited.set()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while True:
                if self.process is not None and not self.alive:
                    self.exited.wait(_EXIT_GRACE)
                    raise self.crash_error("before it was ready", final=False)
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

    @property
    def alive(self) -> bool:
        """Whether the process is running (started and not exited)."""
        return self.process is not None and not self.exited.is_set() and self.process.poll() is None

    def crash_error(self, when: str, *, final: bool) -> LocalModelCrashed:
        """The error for this server's exit, naming the exit code or signal and the log."""
        code = (
            self.returncode
            if self.returncode is not None
            else (self.process.poll() if self.process is not None else None)
        )
        error = LocalModelCrashed(
            "",
            returncode=code,
            log_path=str(self.log_path),
            log_tail=self.log_tail(15),
            final=final,
            provider="local",
        )
        if error.signal_name:
            how = f"was killed by {error.signal_name} (exit code {code})"
        else:
            how = f"exited with code {code}"
        then = (
            "It was already restarted once; no more restarts in this process, so every request to "
            "it fails with this error."
            if final
            else "It is restarted once, for the next request."
        )
        error.message = (
            f"the local model server (llama.cpp, {self.model_path.name}) {how} {when}. {then} "
            f"Server log: {self.log_path}; its last lines:\n{error.log_tail}\n{DOCTOR_HINT}"
        )
        error.args = (error.message,)
        return error

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        self.stopping = True
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Supervisor:
    """Keeps one managed server running: started on first use, restarted once after a crash.

    The state lives here, not in the client: every request asks :meth:`url` first, so a dead
    process is noticed before anything is sent, and after the last restart every request fails
    at once with the same :class:`LocalModelCrashed`.
    """

    def __init__(self, model_name: str, embedding: bool) -> None:
        self.model_name = model_name
        self.embedding = embedding
        self.server: LocalServer | None = None
        self.restarts = 0
        self.final_error: LocalModelCrashed | None = None
        self.lock = threading.Lock()

    @property
    def ready(self) -> bool:
        server = self.server
        return self.final_error is not None or (server is not None and server.alive)

    def url(self) -> str:
        with self.lock:
            while True:
                if self.final_error is not None:
                    raise self.final_error
                server = self.server
                if server is not None and server.alive:
                    return server.base_url
                if server is not None:
                    if self.restarts >= MAX_RESTARTS:
                        self.final_error = server.crash_error("and was restarted once already", final=True)
                        raise self.final_error
                    self.restarts += 1
                    logger.warning(
                        "the local model server exited (code %s); restarting it (%d of %d)",
                        server.returncode,
                        self.restarts,
                        MAX_RESTARTS,
                    )
                self.server = LocalServer(ensure_model_file(self.model_name), embedding=self.embedding)
                _by_url[self.server.base_url] = (self, self.server)
                try:
                    return self.server.start()
                except LocalModelCrashed:
                    continue  # the loop restarts it once, or makes the crash final

    def diagnose(self, server: LocalServer) -> LocalModelCrashed | None:
        if server.stopping or not server.exited.wait(_EXIT_GRACE):
            return None
        final = self.final_error is not None or (server is self.server and self.restarts >= MAX_RESTARTS)
        return server.crash_error("while a request was in flight", final=final)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


_supervisors: dict[str, _Supervisor] = {}
_by_url: dict[str, tuple[_Supervisor, LocalServer]] = {}
_owner_pid = os.getpid()
_lock = threading.Lock()


def _supervisor(model_name: str, embedding: bool) -> _Supervisor:
    global _owner_pid
    key = _embedding_key(model_name) if embedding else model_name
    with _lock:
        if os.getpid() != _owner_pid:  # a forked child starts its own servers
            _supervisors.clear()
            _by_url.clear()
            _owner_pid = os.getpid()
        supervisor = _supervisors.get(key)
        if supervisor is None:
            supervisor = _supervisors[key] = _Supervisor(model_name, embedding)
        return supervisor


def ensure_server(model_name: str = "gemma-3-270m") -> str:
    """Base URL of the server for ``model_name``, started on first use (thread-safe).

    ``$DSPEX_LOCAL_LM_BASE_URL``, when set, wins and nothing is started. Raises
    :class:`LocalModelCrashed` when the server died again after its one restart.
    """
    configured = os.environ.get(BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    return _supervisor(model_name, embedding=False).url()


def server_ready(model_name: str = "gemma-3-270m") -> bool:
    """Whether :func:`ensure_server` returns (or fails) without starting anything."""
    if os.environ.get(BASE_URL_ENV):
        return True
    supervisor = _supervisors.get(model_name)
    return supervisor is not None and supervisor.ready


def _embedding_key(model_name: str) -> str:
    return f"{model_name}#embedding"


def ensure_embedding_server(model_name: str = "gemma-3-270m") -> str:
    """Base URL of the embedding-mode server for ``model_name``, started on first use.

    ``$DSPEX_LOCAL_EMBEDDER_BASE_URL``, when set, wins and nothing is started.
    """
    configured = os.environ.get(EMBEDDER_BASE_URL_ENV)
    if configured:
        return configured.rstrip("/")
    return _supervisor(model_name, embedding=True).url()


def embedding_server_ready(model_name: str = "gemma-3-270m") -> bool:
    """Whether :func:`ensure_embedding_server` returns (or fails) without starting anything."""
    if os.environ.get(EMBEDDER_BASE_URL_ENV):
        return True
    supervisor = _supervisors.get(_embedding_key(model_name))
    return supervisor is not None and supervisor.ready


def diagnose(url: str) -> LocalModelCrashed | None:
    """The crash behind a failed request to ``url``, if a managed server there has exited.

    ``None`` for servers this process does not manage and for ones still running: then the
    failure is an ordinary transport error.
    """
    for base_url, (supervisor, server) in list(_by_url.items()):
        if url.startswith(base_url):
            return supervisor.diagnose(server)
    return None


def stop_server() -> None:
    """Terminate the managed servers (only in the process that started them)."""
    if os.getpid() == _owner_pid:
        for supervisor in list(_supervisors.values()):
            supervisor.stop()
    _supervisors.clear()
    _by_url.clear()


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()


atexit.register(stop_server)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
