"""``PythonSandbox``: run untrusted Python code in a confined child process.

Each run starts a fresh ``python -I -S -B`` (isolated mode, no ``site``: no environment variables,
user site, site-packages or current directory on ``sys.path``) in its own process group, with an
empty temporary working directory and a minimal environment (no API keys). The child
(:mod:`dspex.sandbox.child`) denies by construction, in two layers:

* the Python layer (:mod:`dspex.sandbox.policy`): the program may import only an allow-list of
  computation modules (stand-ins without their imported modules), cannot name underscore
  attributes (``__class__``, ``__subclasses__``, ``__globals__``...) or frame internals, has no
  ``eval``/``exec``/``open``, and runs with the import system sealed;
* the OS layer (:mod:`dspex.sandbox.seccomp`): a seccomp-BPF filter, installed before the
  program runs, leaves only the system calls a computing interpreter needs: no file can be
  opened, no socket made, no process started or signalled, whatever the program reaches.

Also: resource limits (CPU time, address space, open files, processes), ``nobody`` instead of
root, an audit hook (defence in depth), a wall-clock timeout enforced by the parent (the whole
process group is killed) and a cap on the output read. Where the filter cannot be installed (not
Linux on x86-64/arm64, or the kernel refuses) the sandbox refuses to run (:class:`SandboxError`)
unless the operator allows the weaker mode: ``allow_unconfined=True`` or the setting
``dspex.configure(sandbox_allow_unconfined=True)`` (Django: ``DSPEX_SANDBOX_ALLOW_UNCONFINED``).
See docs/security-sandbox.md.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from dspex.sandbox import seccomp
from dspex.sandbox.policy import name_allowed

__all__ = ["PythonSandbox", "SandboxError", "SandboxLimits", "SandboxResult"]

CHILD = Path(__file__).with_name("child.py")
_MB = 1024 * 1024


class SandboxError(RuntimeError):
    """The sandbox itself could not run (not the program failing: see :class:`SandboxResult`)."""


@dataclass(frozen=True)
class SandboxLimits:
    """Per-run limits. ``cpu_seconds``: CPU time before SIGXCPU (then SIGKILL a second later);
    ``wall_seconds``: real time before the process group is killed; ``memory_mb``: address
    space; ``file_size_mb``: largest file the program may write; ``max_output_chars``: printed
    output kept; ``max_output_bytes``: raw bytes read from the child before it is killed."""

    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_mb: int = 512
    file_size_mb: int = 16
    max_open_files: int = 64
    max_output_chars: int = 20_000
    max_output_bytes: int = 2_000_000

    def to_request(self) -> dict[str, Any]:
        return {
            "cpu_seconds": max(1, int(self.cpu_seconds)),
            "memory_bytes": int(self.memory_mb * _MB),
            "file_size_bytes": int(self.file_size_mb * _MB),
            "max_open_files": int(self.max_open_files),
            "max_output_chars": int(self.max_output_chars),
        }


@dataclass
class SandboxResult:
    """The outcome of one run.

    ``ok``: the program finished without an exception. ``value``: what it passed to
    ``SUBMIT(...)`` or the value of its last expression (``None`` otherwise); ``stdout``: what it
    printed. ``error`` is the message for a failed run — the program's traceback (its own lines
    only) or why the sandbox stopped it (``timeout``, CPU, memory, output limits, a blocked
    operation); ``error_type`` names it (``"ZeroDivisionError"``, ``"PermissionError"``,
    ``"Timeout"``, ``"CPULimit"``, ...). ``confinement`` is ``"seccomp"`` when the OS layer was
    on, ``"none"`` when the operator allowed the weaker mode and it could not be installed;
    ``uid`` is the user id the program ran as.
    """

    ok: bool
    value: Any = None
    stdout: str = ""
    error: str | None = None
    error_type: str | None = None
    submitted: bool = False
    returncode: int | None = None
    duration_ms: float = 0.0
    confinement: str | None = None
    uid: int | None = None
    stderr: str = field(default="", repr=False)

    @property
    def output(self) -> Any:
        """``value`` when the program produced one, else its printed output (DSPy's rule)."""
        return self.value if self.value is not None else self.stdout


class PythonSandbox:
    """Run Python code in a fresh, resource-limited child process (see the module docstring).

    Example::

        result = PythonSandbox().run("import math\\nmath.factorial(20)")
        result.ok, result.value        # (True, 2432902008176640000)
        PythonSandbox(SandboxLimits(wall_seconds=2)).run("while True: pass").error
        # 'the program used more than 5 s of CPU time ...' or '... ran longer than 2 s ...'
    """

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        python: str | None = None,
        allow_unconfined: bool | None = None,
    ):
        if os.name != "posix":  # pragma: no cover - the platform is POSIX
            raise SandboxError("the Python sandbox needs a POSIX system (resource limits, process groups)")
        self.limits = limits or SandboxLimits()
        self.python = python or sys.executable
        self.allow_unconfined = allow_unconfined

    def _unconfined_allowed(self) -> bool:
        if self.allow_unconfined is not None:
            return bool(self.allow_unconfined)
        from dspex.settings import settings  # read at run time: it may be set per context

        return bool(settings.get("sandbox_allow_unconfined"))

    def run(self, code: str, variables: dict[str, Any] | None = None) -> SandboxResult:
        """Run ``code``; ``variables`` (JSON-compatible) are defined as globals first."""
        if not isinstance(code, str):
            raise TypeError(f"code must be a string, got {type(code).__name__}")
        for name in variables or {}:
            if not (isinstance(name, str) and name.isidentifier() and name_allowed(name)):
                raise ValueError(f"variables: {name!r} is not a plain variable name")
        allow_unconfined = self._unconfined_allowed()
        reason = seccomp.unavailable_reason()
        if reason and not allow_unconfined:
            raise _unavailable(reason)
        with tempfile.TemporaryDirectory(prefix="dspex-sandbox-") as workdir:
            workdir = os.path.realpath(workdir)
            request = {
                "code": code,
                "workdir": workdir,
                "limits": self.limits.to_request(),
                "variables": variables or {},
                "allow_unconfined": allow_unconfined,
            }
            try:
                payload = json.dumps(request).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise TypeError(f"variables must be JSON-compatible: {exc}") from None
            started = time.perf_counter()
            try:
                process = subprocess.Popen(
                    [self.python, "-I", "-S", "-B", str(CHILD)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    cwd=workdir,
                    env=_environment(workdir),
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                raise SandboxError(f"could not start the sandbox interpreter {self.python!r}: {exc}") from exc
            stdout, stderr, stopped = _exchange(process, payload, self.limits)
            duration = (time.perf_counter() - started) * 1000
        return _result(process.returncode, stdout, stderr, stopped, self.limits, duration)


def _unavailable(reason: str) -> SandboxError:
    return SandboxError(
        f"the sandbox cannot confine the program at the OS level ({reason}), so it refuses to run it. "
        "To run with only the Python-level guards (weaker), the operator can set "
        "dspex.configure(sandbox_allow_unconfined=True) (Django: DSPEX_SANDBOX_ALLOW_UNCONFINED=1); "
        "see docs/security-sandbox.md"
    )


def _environment(workdir: str) -> dict[str, str]:
    return {
        "PATH": os.defpath,
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _exchange(
    process: subprocess.Popen[bytes], payload: bytes, limits: SandboxLimits
) -> tuple[bytes, bytes, str | None]:
    """Send the request, read stdout/stderr until exit; kill the group on timeout or flooding.

    Returns ``(stdout, stderr, stopped)`` where ``stopped`` is ``"timeout"``, ``"output"`` or None.
    """
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    deadline = time.monotonic() + limits.wall_seconds
    out_fd, err_fd = process.stdout.fileno(), process.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    received = 0
    stopped: str | None = None
    pending = memoryview(payload)
    with selectors.DefaultSelector() as selector:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        selector.register(process.stdout, selectors.EVENT_READ)
        selector.register(process.stderr, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                stopped = "timeout"
                break
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                if key.fileobj is process.stdin:
                    try:
                        written = os.write(process.stdin.fileno(), pending[:65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        written = len(pending)
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(process.stdin)
                        process.stdin.close()
                    continue
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                chunks[key.fd].append(data)
                received += len(data)
                if received > limits.max_output_bytes:
                    stopped = "output"
                    break
            if stopped:
                break
    if stopped:
        _kill(process)
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        stopped = stopped or "timeout"
        _kill(process)
        process.wait()
    _kill(process)  # nothing of the group may outlive the run
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd]), stopped


class _Common(TypedDict):
    """The fields every :class:`SandboxResult` of a finished process carries."""

    returncode: int | None
    duration_ms: float
    stderr: str


def _result(
    returncode: int | None,
    stdout: bytes,
    stderr: bytes,
    stopped: str | None,
    limits: SandboxLimits,
    duration: float,
) -> SandboxResult:
    err_text = stderr.decode("utf-8", "replace")
    common: _Common = {"returncode": returncode, "duration_ms": duration, "stderr": err_text[-4000:]}
    if stopped == "timeout":
        return SandboxResult(
            ok=False,
            error_type="Timeout",
            error=f"the program ran longer than {limits.wall_seconds:g} s (wall-clock limit) and was killed",
            **common,
        )
    if stopped == "output":
        return SandboxResult(
            ok=False,
            error_type="OutputLimit",
            error=f"the program wrote more than {limits.max_output_bytes} bytes of output and was killed",
            **common,
        )
    data = _last_json_line(stdout)
    if data is not None and data.get("unavailable"):
        raise _unavailable(str(data["unavailable"]))
    if data is not None:
        ok = bool(data.get("ok"))
        uid = data.get("uid")
        return SandboxResult(
            ok=ok,
            value=data.get("value") if ok else None,
            stdout=str(data.get("stdout") or ""),
            error=None if ok else str(data.get("error") or "the program failed"),
            error_type=None if ok else str(data.get("error_type") or "Error"),
            submitted=bool(data.get("submitted")),
            confinement=str(data.get("confinement") or "") or None,
            uid=uid if isinstance(uid, int) else None,
            **common,
        )
    if returncode is not None and returncode < 0:
        number = -returncode
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return SandboxResult(
                ok=False,
                error_type="CPULimit",
                error=f"the program used more than {limits.cpu_seconds} s of CPU time and was killed",
                **common,
            )
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        return SandboxResult(
            ok=False, error_type="Crashed", error=f"the program was killed by signal {name}", **common
        )
    tail = err_text.strip().splitlines()[-1:] or ["no output"]
    return SandboxResult(
        ok=False,
        error_type="Crashed",
        error=f"the sandbox process exited with status {returncode} without a result ({tail[0][:300]})",
        **common,
    )


def _last_json_line(stdout: bytes) -> dict[str, Any] | None:
    for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
        except ValueError:
            return None
        return data if isinstance(data, dict) and "ok" in data else None
    return None
