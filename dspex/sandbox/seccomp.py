"""The sandbox's OS layer: a seccomp-BPF filter that leaves a process only the system calls a
computing Python interpreter needs.

Standard library only (it is loaded by file path into the sandbox child, which must not import
``dspex``). The filter is built by hand, so no libseccomp is needed: it checks the architecture
the call was made with (a 32-bit or x32 call on a 64-bit kernel has other numbers, so it kills the
process), then allows the calls in :data:`ALLOWED_SYSCALLS` and fails every other one with
``EPERM``. What is left cannot open, create, stat or delete files, make sockets, start, trace or
signal processes, or change its own limits, identity or filter: it can compute, allocate memory,
read the clock and random numbers, sleep, and read and write the descriptors it already has.

Linux on x86-64 and arm64 (aarch64) only; :func:`unavailable_reason` says why not elsewhere.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

__all__ = [
    "ALLOWED_SYSCALLS",
    "ARCHITECTURES",
    "SeccompUnavailable",
    "build_filter",
    "install",
    "seccomp_mode",
    "unavailable_reason",
]

# Found by tracing the child running ordinary programs (arithmetic, re, json, datetime, hashlib,
# big allocations, sleeping, raising and formatting errors); nothing here takes a path.
ALLOWED_SYSCALLS = (
    "read",
    "readv",
    "write",
    "writev",
    "lseek",
    "close",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "brk",
    "futex",
    "getrandom",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "restart_syscall",
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "sched_yield",
    "getpid",
    "gettid",
    "exit",
    "exit_group",
)

# System call numbers of the allowed calls, per architecture (arch/x86/entry/syscalls/syscall_64.tbl
# and the generic table arm64 uses, include/uapi/asm-generic/unistd.h). The tests check them
# against libseccomp's tables where it is installed.
_X86_64 = {
    "read": 0,
    "write": 1,
    "close": 3,
    "lseek": 8,
    "mmap": 9,
    "mprotect": 10,
    "munmap": 11,
    "brk": 12,
    "rt_sigaction": 13,
    "rt_sigprocmask": 14,
    "rt_sigreturn": 15,
    "readv": 19,
    "writev": 20,
    "sched_yield": 24,
    "mremap": 25,
    "madvise": 28,
    "nanosleep": 35,
    "getpid": 39,
    "exit": 60,
    "gettimeofday": 96,
    "sigaltstack": 131,
    "gettid": 186,
    "futex": 202,
    "restart_syscall": 219,
    "clock_gettime": 228,
    "clock_getres": 229,
    "clock_nanosleep": 230,
    "exit_group": 231,
    "getrandom": 318,
}
_AARCH64 = {
    "futex": 98,
    "nanosleep": 101,
    "clock_gettime": 113,
    "clock_getres": 114,
    "clock_nanosleep": 115,
    "sched_yield": 124,
    "restart_syscall": 128,
    "sigaltstack": 132,
    "rt_sigaction": 134,
    "rt_sigprocmask": 135,
    "rt_sigreturn": 139,
    "gettimeofday": 169,
    "getpid": 172,
    "gettid": 178,
    "close": 57,
    "lseek": 62,
    "read": 63,
    "write": 64,
    "readv": 65,
    "writev": 66,
    "exit": 93,
    "exit_group": 94,
    "brk": 214,
    "munmap": 215,
    "mremap": 216,
    "mmap": 222,
    "mprotect": 226,
    "madvise": 233,
    "getrandom": 278,
}


class _Arch:
    def __init__(self, audit_arch: int, numbers: dict[str, int], x32_bit: int | None = None):
        self.audit_arch = audit_arch
        self.numbers = numbers
        self.x32_bit = x32_bit  # x86-64 also accepts x32 calls: numbers with this bit set


# platform.machine() -> (AUDIT_ARCH_* from linux/audit.h, numbers)
ARCHITECTURES: dict[str, _Arch] = {
    "x86_64": _Arch(0xC000003E, _X86_64, x32_bit=0x40000000),
    "aarch64": _Arch(0xC00000B7, _AARCH64),
}

# linux/filter.h, linux/seccomp.h, linux/prctl.h
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_RET_KILL_PROCESS = 0x80000000
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_OFFSET_NR = 0  # struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
_OFFSET_ARCH = 4
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class SeccompUnavailable(RuntimeError):
    """The filter cannot be installed here (the message says why)."""


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def unavailable_reason() -> str | None:
    """Why this process cannot install the filter, or ``None`` when it can (as far as can be
    told without trying: the kernel may still refuse)."""
    if not sys.platform.startswith("linux"):
        return f"seccomp filters need Linux (this is {sys.platform})"
    machine = _machine()
    if machine not in ARCHITECTURES:
        supported = ", ".join(sorted(ARCHITECTURES))
        return f"no system call table for the {machine} architecture (supported: {supported})"
    if struct.calcsize("P") != 8:
        return "a 32-bit Python on a 64-bit kernel is not supported"
    return None


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)  # struct sock_filter


def build_filter(machine: str | None = None, allowed: tuple[str, ...] = ALLOWED_SYSCALLS) -> bytes:
    """The BPF program (an array of ``struct sock_filter``) for ``machine`` (this one by default)."""
    arch = ARCHITECTURES[machine or _machine()]
    program = [
        _instruction(_BPF_LD_W_ABS, _OFFSET_ARCH),
        _instruction(_BPF_JEQ_K, arch.audit_arch, jt=1),
        _instruction(_BPF_RET_K, _RET_KILL_PROCESS),  # another ABI: other numbers, so no guessing
        _instruction(_BPF_LD_W_ABS, _OFFSET_NR),
    ]
    if arch.x32_bit is not None:
        program += [
            _instruction(_BPF_JGE_K, arch.x32_bit, jf=1),
            _instruction(_BPF_RET_K, _RET_KILL_PROCESS),
        ]
    for name in allowed:
        number = arch.numbers.get(name)
        if number is None:  # not on this architecture
            continue
        program += [_instruction(_BPF_JEQ_K, number, jf=1), _instruction(_BPF_RET_K, _RET_ALLOW)]
    program.append(_instruction(_BPF_RET_K, _RET_ERRNO | errno.EPERM))
    return b"".join(program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(allowed: tuple[str, ...] = ALLOWED_SYSCALLS) -> None:
    """Install the filter on the calling thread, irrevocably (and set ``no_new_privs``, which
    the kernel requires of an unprivileged process and which keeps it for anything it execs).

    Raises :class:`SeccompUnavailable` when it cannot; the process is then unchanged apart from
    ``no_new_privs``. Call it with a single thread running."""
    reason = unavailable_reason()
    if reason:
        raise SeccompUnavailable(reason)
    program = build_filter(allowed=allowed)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.restype = ctypes.c_int
    ulong = ctypes.c_ulong
    if libc.prctl(ctypes.c_int(_PR_SET_NO_NEW_PRIVS), ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        number = ctypes.get_errno()
        raise SeccompUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(number)}")
    pointer = ctypes.cast(ctypes.pointer(fprog), ctypes.c_void_p)
    result = libc.prctl(
        ctypes.c_int(_PR_SET_SECCOMP), ulong(_SECCOMP_MODE_FILTER), pointer, ulong(0), ulong(0)
    )
    if result != 0:
        number = ctypes.get_errno()
        raise SeccompUnavailable(
            f"the kernel refused the seccomp filter (prctl(PR_SET_SECCOMP): {os.strerror(number)})"
        )


def seccomp_mode(status: str) -> int | None:
    """The ``Seccomp:`` value of a ``/proc/<pid>/status`` text (0 none, 1 strict, 2 filter)."""
    for line in status.splitlines():
        if line.startswith("Seccomp:"):
            try:
                return int(line.split(":", 1)[1].strip())
            except ValueError:
                return None
    return None
