"""The sandbox's child process: ``python -I -S -B child.py`` reads one JSON request on stdin.

Standard library only; it runs in a fresh interpreter started by :mod:`dspex.sandbox.sandbox` and
loads its two helpers, ``policy.py`` (the Python layer) and ``seccomp.py`` (the OS layer), by file
path. In order, before the program runs:

1. load every module a program may import (nothing can be loaded later), build their stand-ins,
   the program's builtins and namespace, and parse and check the program;
2. close every inherited descriptor but the pipes; when running as root, become ``nobody``
   (uid/gid 65534, no groups); lower the resource limits (CPU time, address space, file size,
   open files, processes, core dumps);
3. install the seccomp filter and check, on a
   ``/proc/self/status`` descriptor opened before, that the kernel reports ``Seccomp: 2``; if the
   filter cannot be installed the program does not run (unless the request allows it explicitly);
4. seal the import system and install an audit hook (defence in depth: it refuses any event it
   does not know to be harmless, and frame access) that cannot be removed.

The program's value — what it passes to ``SUBMIT(...)``, else its last expression — and its
printed output go back as one JSON line on the original stdout. Running the (LM-written) program
is the purpose of this process; nothing here runs in the parent.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import os
import resource
import signal
import sys
import traceback
import types
from typing import Any

FILENAME = "<program>"
NOBODY = 65534
_HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name: str, filename: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(_HERE, filename))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


policy = _load("sandbox_policy", "policy.py")
seccomp = _load("sandbox_seccomp", "seccomp.py")

# Audit events a running program may cause (all others are refused): running and compiling code
# (dataclasses and namedtuple generate code), ids, frames asked for by enum and namedtuple,
# setting attributes of classes, reading function internals (inspect.signature, for dataclasses),
# sleeping, making arrays, reporting an exception raised in __del__.
_HARMLESS_EVENTS = frozenset(
    {
        "exec",
        "compile",
        "builtins.id",
        "sys._getframe",
        "object.__getattr__",
        "object.__setattr__",
        "object.__delattr__",
        "time.sleep",
        "array.__new__",
        "sys.unraisablehook",
    }
)
_READABLE_INTERNALS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})


def _make_hook() -> tuple[Any, list[bool]]:
    """The audit hook and its "trusted" switch (on only while the child reads a traceback's
    frames). Everything the hook uses is bound now, so patching a module cannot change it."""
    trusted = [False]

    def hook(
        event: str,
        args: tuple[Any, ...],
        _harmless: frozenset[str] = _HARMLESS_EVENTS,
        _readable: frozenset[str] = _READABLE_INTERNALS,
        _trusted: list[bool] = trusted,
        _denied: Any = PermissionError,
        _len: Any = len,
        _self: Any = None,
    ) -> None:
        if event not in _harmless:
            raise _denied(f"sandbox: {event} is not allowed")
        if _len(args) > 1 and (args[0] is _self or args[0] is _trusted):
            raise _denied("sandbox: the sandbox's audit hook cannot be inspected or changed")
        if event == "object.__getattr__" and args[1] not in _readable and not _trusted[0]:
            raise _denied(f"sandbox: reading {args[1]!r} is not allowed")

    defaults = hook.__defaults__
    assert defaults is not None  # hook's last parameters have defaults
    hook.__defaults__ = (*defaults[:-1], hook)
    return hook, trusted


def _set_limits(limits: dict[str, Any]) -> None:
    def lower(which: int, value: int) -> None:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    cpu = int(limits["cpu_seconds"])
    hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)[1]
    cpu_hard = cpu + 1 if hard_cpu == resource.RLIM_INFINITY else min(cpu + 1, hard_cpu)
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, cpu_hard), cpu_hard))
    lower(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    lower(resource.RLIMIT_FSIZE, int(limits["file_size_bytes"]))
    lower(resource.RLIMIT_NOFILE, int(limits["max_open_files"]))
    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_NPROC, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _drop_privileges() -> int:
    """Become ``nobody`` when running as root (the kernel checks files and signals by uid).
    Best effort: a root that cannot change its ids (a user namespace mapping only uid 0) stays
    root, which the result reports; the seccomp filter does not depend on it."""
    if os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
        except OSError:
            pass
    return os.geteuid()


def _close_other_descriptors(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, already closed


def _confine(allow_unconfined: bool, status_fd: int | None) -> tuple[str, str | None]:
    """Install the seccomp filter: ``("seccomp", None)``, or ``("none", why)`` when it cannot be
    and the request allows that (else :class:`seccomp.SeccompUnavailable` is raised)."""
    try:
        reason = seccomp.unavailable_reason()
        if reason:
            raise seccomp.SeccompUnavailable(reason)
        seccomp.install()
        mode = None
        if status_fd is not None:
            os.lseek(status_fd, 0, os.SEEK_SET)
            mode = seccomp.seccomp_mode(os.read(status_fd, 65536).decode("ascii", "replace"))
        if mode != 2:
            raise seccomp.SeccompUnavailable(
                f"the kernel reports Seccomp: {mode} after installing the filter"
            )
    except seccomp.SeccompUnavailable as exc:
        if not allow_unconfined:
            raise
        return "none", str(exc)
    return "seccomp", None


class _Submitted(BaseException):
    def __init__(self, value: Any):
        super().__init__()
        self.value = value


def SUBMIT(*args: Any, **kwargs: Any) -> None:
    """End the program with its answer: ``SUBMIT(value)`` or ``SUBMIT(field=value, ...)``."""
    if len(args) > 1 or (args and kwargs):
        raise TypeError("SUBMIT takes one value or keyword arguments, e.g. SUBMIT({'answer': 42})")
    raise _Submitted(args[0] if args else kwargs)


class _Program:
    """The checked program: its code objects and namespace, or why it cannot run."""

    def __init__(self, code: str, variables: dict[str, Any]):
        self.body: Any = None
        self.last: Any = None
        self.error: tuple[str, str] | None = None
        self.lines = code.splitlines()
        modules = policy.build_user_modules()
        main = types.ModuleType("__main__")
        self.namespace: dict[str, Any] = vars(main)
        self.namespace.update(
            {"__builtins__": policy.make_builtins(policy.make_import(modules)), "SUBMIT": SUBMIT}
        )
        self.namespace.update(variables)
        self.main = main
        try:
            tree = ast.parse(code, FILENAME, "exec")
            policy.check_program(tree)
            last = None
            final = tree.body[-1] if tree.body else None
            if isinstance(final, ast.Expr):
                tree.body.pop()
                last = ast.Expression(final.value)
            self.body = compile(tree, FILENAME, "exec")
            self.last = None if last is None else compile(last, FILENAME, "eval")
        except SyntaxError as error:
            self.error = (
                "SyntaxError",
                "".join(traceback.format_exception_only(SyntaxError, error)).rstrip(),
            )
        except PermissionError as error:
            self.error = ("PermissionError", f"PermissionError: {error}")


def _user_frames(error: BaseException, trusted: list[bool], lines: list[str]) -> list[str]:
    """The program's own traceback lines (its frames only)."""
    entries: list[tuple[int, str]] = []
    trusted[0] = True
    try:
        tb = error.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename == FILENAME:
                entries.append((tb.tb_lineno, code.co_name))
            tb = tb.tb_next
    finally:
        trusted[0] = False
    out = []
    for lineno, name in entries:
        out.append(f'  File "{FILENAME}", line {lineno}, in {name}\n')
        if 0 < lineno <= len(lines) and lines[lineno - 1].strip():
            out.append(f"    {lines[lineno - 1].strip()}\n")
    return out


def _describe(
    error: BaseException, limits: dict[str, Any], trusted: list[bool], lines: list[str]
) -> tuple[str, str]:
    if isinstance(error, MemoryError):
        mb = int(limits["memory_bytes"]) // (1024 * 1024)
        return "MemoryError", f"MemoryError: out of memory (the sandbox allows {mb} MB)"
    name = type(error).__name__
    try:
        message = str(error)
    except BaseException:  # the program's own __str__ failed
        message = "<the exception's message could not be shown>"
    frames = _user_frames(error, trusted, lines)
    head = ["Traceback (most recent call last):\n", *frames] if frames else []
    return name, ("".join(head) + (f"{name}: {message}" if message else name)).rstrip()


def _jsonable(value: Any) -> tuple[Any, bool]:
    try:
        json.dumps(value)
        return value, False
    except (TypeError, ValueError):
        return repr(value), True


def _cut(buffer: io.StringIO, limits: dict[str, Any]) -> str:
    text = buffer.getvalue()
    cap = int(limits["max_output_chars"])
    return text if len(text) <= cap else text[:cap] + f"\n... (output cut at {cap} characters)"


def run(program: _Program, limits: dict[str, Any], trusted: list[bool]) -> dict[str, Any]:
    """Run the checked program (never raises for program errors)."""
    captured = io.StringIO()
    value, submitted = None, False
    sys.modules["__main__"] = program.main
    sys.stdout = sys.stderr = captured
    try:
        try:
            exec(program.body, program.namespace)
            if program.last is not None:
                value = eval(program.last, program.namespace)
        except _Submitted as answer:
            value, submitted = answer.value, True
        value, is_repr = _jsonable(value)
    except BaseException as error:  # the program's own failure, reported to the caller
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        error_type, message = _describe(error, limits, trusted, program.lines)
        return {"ok": False, "error_type": error_type, "error": message, "stdout": _cut(captured, limits)}
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return {
        "ok": True,
        "value": value,
        "value_is_repr": is_repr,
        "submitted": submitted,
        "stdout": _cut(captured, limits),
    }


def _reply(out_fd: int, result: dict[str, Any]) -> None:
    try:
        data = ("\n" + json.dumps(result) + "\n").encode("utf-8")
    except BaseException:  # the program broke the encoder (json's classes are shared)
        data = b'\n{"ok": false, "error_type": "Error", "error": "the result could not be encoded"}\n'
    while data:
        data = data[os.write(out_fd, data) :]


def main() -> None:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out_fd = os.dup(1)
    limits = request["limits"]
    policy.preload()
    program = _Program(request["code"], request.get("variables") or {})
    try:
        status_fd: int | None = os.open("/proc/self/status", os.O_RDONLY)
    except OSError:
        status_fd = None
    _close_other_descriptors({0, 1, 2, out_fd} | ({status_fd} if status_fd is not None else set()))
    uid = _drop_privileges()
    _set_limits(limits)
    try:
        confinement, weaker = _confine(bool(request.get("allow_unconfined")), status_fd)
    except seccomp.SeccompUnavailable as exc:
        _reply(out_fd, {"ok": False, "unavailable": str(exc)})
        os._exit(0)
    if status_fd is not None:
        os.close(status_fd)
    info = {"confinement": confinement, "unconfined_because": weaker, "uid": uid}
    policy.seal_imports()
    hook, trusted = _make_hook()
    sys.addaudithook(hook)
    if program.error is not None:
        error_type, message = program.error
        result: dict[str, Any] = {"ok": False, "error_type": error_type, "error": message, "stdout": ""}
    else:
        try:
            result = run(program, limits, trusted)
        except MemoryError:
            result = {
                "ok": False,
                "error_type": "MemoryError",
                "error": "MemoryError: out of memory",
                "stdout": "",
            }
    _reply(out_fd, {**result, **info})
    os._exit(0)  # no interpreter shutdown: nothing of the program runs after its answer


if __name__ == "__main__":
    main()
