"""Where the seccomp filter cannot be installed the sandbox refuses to run, with an error that
says why and what the operator can do; only the explicit setting allows the weaker mode."""

from __future__ import annotations

import sys
import textwrap

import pytest

import dspex
from dspex.sandbox import PythonSandbox, SandboxError, seccomp
from dspex.sandbox import sandbox as sandbox_module
from tests.engine.modules.replies import chat

pytestmark = pytest.mark.timeout(60)

# An interpreter whose process has used up the kernel's budget of filter instructions (32768 per
# process), so that the sandbox child's own filter is refused, as a kernel without seccomp would.
FULL_BUDGET = textwrap.dedent(
    """\
    #!{python}
    import ctypes, os, struct, sys
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    size = 4096
    while size:
        code = struct.pack("=HBBI", 0x20, 0, 0, 0) * (size - 1) + struct.pack("=HBBI", 0x06, 0, 0, 0x7FFF0000)
        buffer = ctypes.create_string_buffer(code, len(code))
        program = Program(size, ctypes.cast(buffer, ctypes.c_void_p))
        if libc.prctl(22, ctypes.c_ulong(2), ctypes.byref(program), ctypes.c_ulong(0), ctypes.c_ulong(0)):
            size //= 2
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
    """
)


@pytest.fixture
def filterless_python(tmp_path):
    path = tmp_path / "python-without-filter-budget"
    path.write_text(FULL_BUDGET.format(python=sys.executable))
    path.chmod(0o755)
    return str(path)


needs_seccomp = pytest.mark.skipif(seccomp.unavailable_reason() is not None, reason="needs Linux seccomp")


@needs_seccomp
def test_it_refuses_to_run_when_the_kernel_refuses_the_filter(filterless_python):
    with pytest.raises(SandboxError) as info:
        PythonSandbox(python=filterless_python).run("SUBMIT('ran')")
    message = str(info.value)
    assert "cannot confine the program at the OS level" in message
    assert "the kernel refused the seccomp filter" in message
    assert "sandbox_allow_unconfined=True" in message and "DSPEX_SANDBOX_ALLOW_UNCONFINED" in message


@needs_seccomp
def test_the_operator_setting_allows_the_weaker_mode_with_the_python_layer_still_on(filterless_python):
    with dspex.context(sandbox_allow_unconfined=True):
        sandbox = PythonSandbox(python=filterless_python)
        ran = sandbox.run("SUBMIT('ran')")
        escape = sandbox.run("import os\nos.system('true')")
    assert ran.ok and ran.value == "ran" and ran.confinement == "none"
    assert escape.error_type == "ImportError" and "importing 'os' is not allowed" in escape.error

    explicit = PythonSandbox(python=filterless_python, allow_unconfined=True).run("1 + 1")
    assert explicit.ok and explicit.value == 2 and explicit.confinement == "none"


def test_it_refuses_before_starting_a_process_on_an_unsupported_platform(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox_module.seccomp, "unavailable_reason", lambda: "seccomp filters need Linux")
    marker = tmp_path / "started"
    starter = tmp_path / "python-that-marks"
    starter.write_text(f"#!/bin/sh\ntouch {marker}\n")
    starter.chmod(0o755)

    with pytest.raises(SandboxError, match=r"\(seccomp filters need Linux\), so it refuses to run it"):
        PythonSandbox(python=str(starter)).run("1")
    assert not marker.exists()
    with pytest.raises(SandboxError), dspex.context(sandbox_allow_unconfined=False):
        PythonSandbox(python=str(starter), allow_unconfined=None).run("1")
    assert not marker.exists()


def test_program_of_thought_surfaces_the_refusal(monkeypatch, openai_stub, stub_lm):
    monkeypatch.setattr(sandbox_module.seccomp, "unavailable_reason", lambda: "seccomp filters need Linux")
    openai_stub.script(chat(reasoning="r", generated_code="1 + 1"))
    dspex.configure(lm=stub_lm, allow_program_of_thought=True)
    with pytest.raises(dspex.SandboxError, match="refuses to run it"):
        dspex.ProgramOfThought("question -> answer: int")(question="q")
