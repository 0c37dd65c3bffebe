"""Is the local model runtime (llama-cpp-python) usable on this machine? Checked in a child.

A runtime built for another CPU dies with SIGSEGV or SIGILL on its first completion; checking in
a child process turns that into a report instead of a dead parent.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dspex.lm.errors import signal_name
from dspex.lm.local.model import ensure_model_file

__all__ = ["REBUILD_COMMAND", "RuntimeCheck", "check_runtime", "cpu_features", "installed_build"]

REBUILD_COMMAND = "DSPEX_REBUILD_LLAMA=1 scripts/bootstrap"
# The CPU flags that decide which llama.cpp kernels can run here.
_RELEVANT_FLAGS = (
    "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
    "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16",  # x86-64
    "asimd", "asimddp", "fphp", "sve", "sve2", "i8mm", "bf16", "sme",  # arm64
)  # fmt: skip
_CHILD = """
import sys
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, verbose=False)
out = llm.create_completion("Hello", max_tokens=1, temperature=0.0)
print("completion:", repr(out["choices"][0]["text"]))
"""


def cpu_features() -> dict[str, str]:
    """``{"machine", "cpu", "features"}`` of this machine (features: the flags llama.cpp cares about)."""
    model, flags = "", set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key in ("model name", "cpu model") and not model:
                model = value.strip()
            elif key in ("flags", "features") and not flags:
                flags = set(value.split())
    except OSError:
        pass
    features = " ".join(flag for flag in _RELEVANT_FLAGS if flag in flags)
    return {"machine": platform.machine(), "cpu": model or platform.processor(), "features": features}


def installed_build() -> str | None:
    """The build id ``scripts/bootstrap`` marked the installed runtime with, or ``None``."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        return None
    marker = Path(spec.origin).parent / ".dspex-build"
    return marker.read_text().strip() if marker.exists() else None


@dataclass(frozen=True)
class RuntimeCheck:
    """The outcome of one completion in a child process."""

    ok: bool
    returncode: int | None
    seconds: float
    output: str
    runtime_version: str | None
    build: str | None

    @property
    def signal_name(self) -> str | None:
        return signal_name(self.returncode)

    def report(self, model_name: str = "gemma-3-270m") -> str:
        """One paragraph saying what happened, on which CPU, and how to rebuild."""
        if self.ok:
            return f"the local runtime completed one token of {model_name} in {self.seconds:.1f}s"
        cpu = cpu_features()
        if self.returncode is None:
            what = f"did not finish within {self.seconds:.0f}s"
        elif self.signal_name:
            what = f"was killed by {self.signal_name} (exit code {self.returncode})"
        else:
            what = f"exited with code {self.returncode}"
        build = (
            f"built by scripts/bootstrap as {self.build}"
            if self.build
            else "not built by scripts/bootstrap (a build with native CPU flags can use instructions "
            "that fault on another CPU)"
        )
        tail = "\n".join(self.output.strip().splitlines()[-8:]) or "(no output)"
        return (
            f"The local model runtime crashed: a one-token completion of {model_name} in a child "
            f"process {what}. CPU: {cpu['machine']} {cpu['cpu']}; features: {cpu['features'] or 'unknown'}. "
            f"Runtime: llama-cpp-python {self.runtime_version or '(not installed)'}, {build}. "
            f"Rebuild it portably with `{REBUILD_COMMAND}`, then run `python -m dspex doctor`. "
            f"Last output of the child:\n{tail}"
        )


def check_runtime(model_name: str = "gemma-3-270m", timeout: float = 180.0) -> RuntimeCheck:
    """Load the bundled model and complete one token in a fresh child process."""
    try:
        version: str | None = importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        version = None
    build = installed_build()
    start = time.monotonic()
    model_path = ensure_model_file(model_name)
    try:
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(model_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        # With text=True these are strings, but TimeoutExpired declares bytes too.
        text = "".join(
            part.decode(errors="replace") if isinstance(part, bytes) else part
            for part in (exc.stdout or "", exc.stderr or "")
        )
        return RuntimeCheck(False, None, time.monotonic() - start, text, version, build)
    return RuntimeCheck(
        child.returncode == 0,
        child.returncode,
        time.monotonic() - start,
        child.stdout + child.stderr,
        version,
        build,
    )
