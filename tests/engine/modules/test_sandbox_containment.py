"""The ProgramOfThought sandbox contains escape attempts and still runs ordinary programs."""

from __future__ import annotations

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

    submitted = sandbox.run("total = sum(range(101))\nSUBMIT({'answer': total})\nprint('never')")
    assert submitted.ok and submitted.submitted and submitted.value == {"answer": 5050}

    files = sandbox.run("open('notes.txt', 'w').write('kept')\nopen('notes.txt').read()")
    assert files.ok and files.value == "kept"


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
    assert raw.error_type == "PermissionError" and "network access is not allowed" in raw.error
    assert "network access is not allowed" in http.error
    assert openai_stub.requests == []


def test_writing_outside_the_working_directory_is_blocked(sandbox, tmp_path):
    target = tmp_path / "escape.txt"
    absolute = sandbox.run(f"open({str(target)!r}, 'w').write('pwned')")
    relative = sandbox.run("open('../escape.txt', 'w').write('pwned')")
    moved = sandbox.run(
        f"import shutil\nopen('a.txt', 'w').write('x')\nshutil.move('a.txt', {str(target)!r})"
    )
    linked = sandbox.run(f"import os\nos.symlink({str(tmp_path)!r}, 'out')\nopen('out/escape.txt', 'w')")

    assert not target.exists()
    for result in (absolute, relative, moved):
        assert result.error_type == "PermissionError" and "only inside the working directory" in result.error
    assert "creating links is not allowed" in linked.error


def test_reading_files_outside_and_the_environment_reveal_nothing(sandbox, tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret")
    monkeypatch.setenv("DSPEX_TEST_SECRET", "sk-do-not-leak")
    read = sandbox.run(f"open({str(secret)!r}).read()")
    env = sandbox.run("import os\nsorted(os.environ)")
    assert "reading" in read.error and "s3cret" not in str(read)
    assert env.ok and "DSPEX_TEST_SECRET" not in env.value and "OPENAI_API_KEY" not in env.value


def test_a_fork_bomb_and_other_new_processes_are_blocked(sandbox):
    bomb = sandbox.run("import os\nwhile True:\n    os.fork()")
    shell = sandbox.run("import os\nos.system('echo hi')")
    popen = sandbox.run("import subprocess\nsubprocess.run(['echo', 'hi'])")
    native = sandbox.run("import ctypes\nctypes.CDLL(None).fork()")
    for result in (bomb, shell, popen):
        assert result.error_type == "PermissionError" and "creating or signalling processes" in result.error
    assert "calling native code through ctypes is not allowed" in native.error


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


def test_flooding_the_output_is_stopped():
    sandbox = PythonSandbox(SandboxLimits(max_output_bytes=100_000))
    result = sandbox.run("import os\nwhile True:\n    os.write(1, b'x' * 65536)")
    assert result.error_type == "OutputLimit"
    printed = sandbox.run("for i in range(100000):\n    print('line', i)")
    assert printed.ok and printed.stdout.endswith("(output cut at 20000 characters)")


def test_the_audit_hook_cannot_be_changed(sandbox):
    result = sandbox.run(
        "import gc\n"
        "hook = next(o for o in gc.get_objects() if getattr(o, '__name__', '') == 'hook')\n"
        "hook.__code__ = (lambda *a, **k: None).__code__"
    )
    assert "changing the sandbox's audit hook is not allowed" in result.error
