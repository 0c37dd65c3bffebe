"""The local runtime: built without CPU-specific kernels, and checked by one completion in a child."""

from __future__ import annotations

import importlib.util
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

from dspex.lm.local import runtime

# AVX-512 uses the zmm registers; AMX's tile instructions are what faulted on AMX machines.
_NON_PORTABLE = ("zmm", "ldtilecfg", "tdpbssd", "tdpbf16ps", "tileloadd")


def _runtime_libraries() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None, "llama-cpp-python is not installed"
    return sorted((Path(spec.origin).parent / "lib").glob("libggml*.so"))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 instruction check")
def test_the_installed_x86_runtime_has_no_avx512_or_amx_instructions():
    objdump = shutil.which("objdump")
    assert objdump, "objdump (binutils) is needed to inspect the runtime"
    libraries = _runtime_libraries()
    assert any(path.name.startswith("libggml-cpu") for path in libraries)

    for library in libraries:
        disassembly = subprocess.run(
            [objdump, "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
        ).stdout
        found = {word for word in _NON_PORTABLE if word in disassembly}
        assert not found, f"{library.name} uses {sorted(found)}: rebuild with scripts/bootstrap"


def test_the_installed_runtime_carries_the_bootstrap_build_mark():
    build = runtime.installed_build()

    assert build is not None and build.startswith("llama-cpp-python-0.3.36-" + platform.machine())


def test_a_runtime_that_faults_is_reported_with_signal_cpu_and_rebuild_command(monkeypatch):
    monkeypatch.setattr(
        runtime, "_CHILD", "import os, signal\nprint('loading')\nos.kill(os.getpid(), signal.SIGSEGV)\n"
    )

    result = runtime.check_runtime()

    assert not result.ok and result.signal_name == "SIGSEGV"
    report = result.report()
    assert "killed by SIGSEGV" in report
    assert runtime.cpu_features()["machine"] in report
    assert runtime.REBUILD_COMMAND in report
    assert "loading" in report


def test_the_real_runtime_completes_one_token_in_a_child():
    result = runtime.check_runtime()

    assert result.ok, result.report()
    assert "completion:" in result.output
