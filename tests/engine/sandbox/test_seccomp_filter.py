"""The OS layer: the seccomp filter is on in every sandbox child, and on its own it already keeps
a process away from files, sockets and processes (should the Python layer ever be bypassed)."""

from __future__ import annotations

import ctypes.util
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from dspex.sandbox import PythonSandbox, SandboxLimits, seccomp

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(seccomp.unavailable_reason() is not None, reason="needs Linux on x86-64 or arm64"),
]

SECCOMP_PY = Path(seccomp.__file__)


def _children_running(script: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
        if script.encode() in cmdline and parent == str(os.getpid()):
            found.append(int(entry.name))
    return found


def test_the_child_runs_under_the_filter_as_nobody_without_the_parents_environment(monkeypatch):
    monkeypatch.setenv("DSPEX_TEST_SECRET", "sk-do-not-leak")
    results = []
    sandbox = PythonSandbox(SandboxLimits(wall_seconds=20))
    runner = threading.Thread(target=lambda: results.append(sandbox.run("import time\ntime.sleep(3)")))
    runner.start()
    status = environ = ""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for pid in _children_running("child.py"):
            try:
                text = Path(f"/proc/{pid}/status").read_text()
                if "Seccomp:\t2" in text:  # past the set-up: the program is running
                    status, environ = text, Path(f"/proc/{pid}/environ").read_bytes().decode()
            except OSError:
                continue
        if status:
            break
        time.sleep(0.05)
    runner.join()

    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert seccomp.seccomp_mode(status) == 2
    assert fields["NoNewPrivs"].strip() == "1"
    if os.geteuid() == 0:
        assert fields["Uid"].split() == ["65534"] * 4 and fields["Groups"].strip() == ""
        assert fields["CapEff"].strip() == "0000000000000000"
    assert "sk-do-not-leak" not in environ and "OPENAI_API_KEY" not in environ
    assert results[0].ok and results[0].confinement == "seccomp"


ESCAPES = textwrap.dedent(
    """
    import ctypes, importlib.util, json, os, platform, readline, socket, sqlite3, subprocess, sys
    spec = importlib.util.spec_from_file_location("sandbox_seccomp", sys.argv[1])
    seccomp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seccomp)
    secret, workdir, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    openat = {"x86_64": 257, "aarch64": 56}[platform.machine()]
    seccomp.install()
    report = {}

    def attempt(name, action):
        try:
            report[name] = ["ok", repr(action())]
        except BaseException as exc:
            report[name] = [type(exc).__name__, str(exc)]

    def raw_openat():
        fd = libc.syscall(ctypes.c_long(openat), ctypes.c_int(-100), secret.encode(), ctypes.c_int(0))
        return [fd, ctypes.get_errno()]

    attempt("raw openat", raw_openat)
    attempt("libc open", lambda: [libc.open(secret.encode(), 0), ctypes.get_errno()])
    attempt("open", lambda: open(secret).read())
    attempt("create", lambda: open(workdir + "/created.txt", "w"))
    attempt("sqlite read", lambda: sqlite3.connect(secret).execute("select 1").fetchall())
    attempt("sqlite write", lambda: sqlite3.connect(workdir + "/x.db").execute("create table t(x)"))
    attempt("readline read", lambda: readline.read_history_file(secret))
    attempt("readline write", lambda: readline.write_history_file(workdir + "/history"))
    attempt("system", lambda: os.system("touch " + workdir + "/system-ran"))
    attempt("fork", os.fork)
    attempt("execv", lambda: os.execv("/usr/bin/touch", ["touch", workdir + "/exec-ran"]))
    attempt("fork_exec", lambda: subprocess.Popen(["/usr/bin/touch", workdir + "/fork-exec-ran"]))
    attempt("socket", lambda: socket.socket().connect(("127.0.0.1", port)))
    attempt("stat", lambda: os.stat(secret))
    attempt("unlink", lambda: os.unlink(secret))
    attempt("kill parent", lambda: os.kill(os.getppid(), 0))
    attempt("compute", lambda: sum(i * i for i in range(10 ** 5)))
    os.write(1, json.dumps(report).encode())
    """
)


def test_under_the_filter_alone_no_file_socket_or_process_can_be_reached(tmp_path, open_dir, secret_file):
    script = tmp_path / "escapes.py"
    script.write_text(ESCAPES)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    try:
        completed = subprocess.run(
            [sys.executable, "-I", str(script), str(SECCOMP_PY), str(secret_file), str(open_dir),
             str(listener.getsockname()[1])],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    report = json.loads(completed.stdout)

    assert report["raw openat"] == ["ok", repr([-1, errno.EPERM])]
    assert report["libc open"] == ["ok", repr([-1, errno.EPERM])]
    permission_errors = ("open", "create", "readline read", "readline write", "fork", "execv", "fork_exec")
    for name in (*permission_errors, "socket", "stat", "unlink", "kill parent"):
        assert report[name][0] == "PermissionError", (name, report[name])
    for name in ("sqlite read", "sqlite write"):
        assert report[name] == ["OperationalError", "unable to open database file"], (name, report[name])
    assert report["system"][0] == "ok" and report["system"][1] != "0"  # the shell never started
    assert report["compute"] == ["ok", repr(sum(i * i for i in range(10**5)))]
    assert "s3cret" not in completed.stdout.decode()
    assert sorted(p.name for p in open_dir.iterdir()) == ["secret.txt"]
    assert secret_file.read_text() == "s3cret-contents"


# -- the filter program itself, for both architectures ------------------------------------------
def _run_bpf(program: bytes, nr: int, arch: int) -> int:
    """A tiny interpreter for the instructions the filter uses (enough to check its decisions
    for an architecture this machine is not)."""
    data = struct.pack("=iIQ6Q", nr, arch, 0, *([0] * 6))
    instructions = [struct.unpack_from("=HBBI", program, i) for i in range(0, len(program), 8)]
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        if code == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            accumulator = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code in (0x15, 0x35):  # BPF_JMP | BPF_JEQ/JGE | BPF_K
            taken = accumulator == k if code == 0x15 else accumulator >= k
            pc += 1 + (jt if taken else jf)
        elif code == 0x06:  # BPF_RET | BPF_K
            return k
        else:
            raise AssertionError(f"unexpected instruction {code:#x}")


ALLOW, KILL, EPERM = 0x7FFF0000, 0x80000000, 0x00050000 | errno.EPERM
DENIED = {  # name: (x86_64, aarch64)
    "openat": (257, 56),
    "execve": (59, 221),
    "socket": (41, 198),
    "connect": (42, 203),
    "clone": (56, 220),
    "ptrace": (101, 117),
    "unlinkat": (263, 35),
    "kill": (62, 129),
    "prctl": (157, 167),
    "seccomp": (317, 277),
    "setuid": (105, 146),
    "newfstatat": (262, 79),
}


@pytest.mark.parametrize(("machine", "column"), [("x86_64", 0), ("aarch64", 1)])
def test_the_filter_allows_only_its_list_and_kills_other_abis(machine, column):
    arch = seccomp.ARCHITECTURES[machine]
    program = seccomp.build_filter(machine)
    for name in seccomp.ALLOWED_SYSCALLS:
        assert _run_bpf(program, arch.numbers[name], arch.audit_arch) == ALLOW, name
    for name, numbers in DENIED.items():
        assert _run_bpf(program, numbers[column], arch.audit_arch) == EPERM, name
    assert _run_bpf(program, 0, 0x40000003) == KILL  # an i386 call (int 0x80)
    other = seccomp.ARCHITECTURES["aarch64" if machine == "x86_64" else "x86_64"]
    assert _run_bpf(program, 63, other.audit_arch) == KILL
    if machine == "x86_64":
        assert _run_bpf(program, 0x40000000 | 257, arch.audit_arch) == KILL  # x32 openat


@pytest.mark.skipif(ctypes.util.find_library("seccomp") is None, reason="libseccomp is not installed")
@pytest.mark.parametrize("machine", sorted(seccomp.ARCHITECTURES))
def test_the_system_call_numbers_agree_with_libseccomp(machine):
    library = ctypes.CDLL(ctypes.util.find_library("seccomp"))
    library.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    arch = seccomp.ARCHITECTURES[machine]
    assert set(arch.numbers) == set(seccomp.ALLOWED_SYSCALLS)
    for name, number in arch.numbers.items():
        assert library.seccomp_syscall_resolve_name_arch(arch.audit_arch, name.encode()) == number, name
    for name, numbers in DENIED.items():
        expected = numbers[0 if machine == "x86_64" else 1]
        assert library.seccomp_syscall_resolve_name_arch(arch.audit_arch, name.encode()) == expected, name
