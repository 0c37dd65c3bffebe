"""The ProgramOfThought sandbox contains escape attempts and still runs ordinary programs."""

from __future__ import annotations

import os
import socket

import pytest

from dspex.sandbox import PythonSandbox, SandboxLimits

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def sandbox():
    return PythonSandbox(SandboxLimits(cpu_seconds=1, wall_seconds=4, memory_mb=256))


def test_an_ordinary_computation_runs(sandbox):
    result = sandbox.run("import math\nprint('factorial')\nmath.factorial(20)")
    assert result.ok and result.value == 2432902008176640000 and result.stdout == "factorial\n"
    assert result.confinement == "seccomp"

    submitted = sandbox.run("total = sum(range(101))\nSUBMIT({'answer': total})\nprint('never')")
    assert submitted.ok and submitted.submitted and submitted.value == {"answer": 5050}

    memory = sandbox.run("import io\nbuffer = io.StringIO()\nbuffer.write('kept')\nbuffer.getvalue()")
    assert memory.ok and memory.value == "kept"


def test_program_errors_come_back_with_the_programs_own_traceback(sandbox):
    result = sandbox.run("x = 1\ny = x / 0")
    assert not result.ok and result.error_type == "ZeroDivisionError"
    assert 'File "<program>", line 2' in result.error and "y = x / 0" in result.error
    assert "child.py" not in result.error


def test_network_access_is_blocked(sandbox, openai_stub):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        raw = sandbox.run(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)")
        http = sandbox.run(
            f"import urllib.request\nurllib.request.urlopen('{openai_stub.url}/v1/models').read()"
        )
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert raw.error_type == "ImportError" and "importing 'socket' is not allowed" in raw.error
    assert "importing 'urllib.request' is not allowed" in http.error
    assert openai_stub.requests == []


def test_files_can_be_neither_written_nor_read(sandbox, open_dir, secret_file):
    target = open_dir / "escape.txt"
    written = sandbox.run(f"open({str(target)!r}, 'w').write('pwned')")
    read = sandbox.run(f"open({str(secret_file)!r}).read()")
    copied = sandbox.run(f"import shutil\nshutil.copy({str(secret_file)!r}, {str(target)!r})")

    assert not target.exists()
    for result in (written, read):
        assert result.error_type == "PermissionError" and "opening files is not allowed" in result.error
    assert "importing 'shutil' is not allowed" in copied.error
    assert "s3cret" not in str(read) + str(copied)


def test_the_environment_is_out_of_reach(sandbox, monkeypatch):
    monkeypatch.setenv("DSPEX_TEST_SECRET", "sk-do-not-leak")
    env = sandbox.run("import os\nsorted(os.environ)")
    assert env.error_type == "ImportError" and "sk-do-not-leak" not in str(env)


def test_a_fork_bomb_and_other_new_processes_are_blocked(sandbox):
    bomb = sandbox.run("import os\nwhile True:\n    os.fork()")
    popen = sandbox.run("import subprocess\nsubprocess.run(['echo', 'hi'])")
    native = sandbox.run("import ctypes\nctypes.CDLL(None).fork()")
    for result, module in ((bomb, "os"), (popen, "subprocess"), (native, "ctypes")):
        assert result.error_type == "ImportError" and f"importing {module!r} is not allowed" in result.error


def test_an_infinite_loop_is_stopped_by_the_cpu_limit(sandbox):
    result = sandbox.run("while True:\n    pass")
    assert not result.ok and result.error_type == "CPULimit"
    assert result.error == "the program used more than 1 s of CPU time and was killed"


def test_a_sleeping_program_is_killed_at_the_wall_clock_limit():
    result = PythonSandbox(SandboxLimits(wall_seconds=1.5)).run("import time\ntime.sleep(60)")
    assert result.error_type == "Timeout"
    assert result.error == "the program ran longer than 1.5 s (wall-clock limit) and was killed"


def test_a_memory_bomb_runs_out_of_memory_inside_the_sandbox(sandbox):
    allocation = sandbox.run("x = bytearray(8 * 1024 ** 3)")
    growth = sandbox.run("chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))")
    for result in (allocation, growth):
        assert result.error_type == "MemoryError"
        assert result.error == "MemoryError: out of memory (the sandbox allows 256 MB)"


def test_flooding_the_output_is_stopped(tmp_path):
    # A program has no way to write to the pipe itself any more; an interpreter that floods it
    # stands in for one that found a way.
    flooder = tmp_path / "flooding-python"
    flooder.write_text("#!/bin/sh\nexec yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n")
    flooder.chmod(0o755)
    flooded = PythonSandbox(SandboxLimits(max_output_bytes=100_000), python=str(flooder)).run("1")
    assert flooded.error_type == "OutputLimit"

    printed = PythonSandbox().run("for i in range(100000):\n    print('line', i)")
    assert printed.ok and printed.stdout.endswith("(output cut at 20000 characters)")


def test_the_audit_hook_cannot_be_reached_or_changed(sandbox):
    result = sandbox.run(
        "import gc\n"
        "hook = next(o for o in gc.get_objects() if getattr(o, '__name__', '') == 'hook')\n"
        "hook.__code__ = (lambda *a, **k: None).__code__"
    )
    assert result.error_type == "PermissionError" and "the attribute '__code__'" in result.error
    dynamic = sandbox.run("getattr(SUBMIT, '__glob' + 'als__')")
    assert dynamic.error_type == "PermissionError" and "'__globals__' is not available" in dynamic.error


def test_the_program_runs_as_nobody_when_the_platform_runs_as_root(sandbox):
    result = sandbox.run("1")
    assert result.uid == (65534 if os.geteuid() == 0 else os.geteuid())
