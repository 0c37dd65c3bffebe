"""The sandbox's child process: ``python -I -B child.py`` reads one JSON request on stdin.

Standard library only; it runs in a fresh interpreter started by :mod:`dspex.sandbox.sandbox`.
Before the program runs it lowers the resource limits and installs an audit hook
(:func:`sys.addaudithook`, which cannot be removed) that refuses network sockets, new processes,
``ctypes`` and the like, writes outside the working directory, reads outside it and Python's own
libraries, and changes to the hook itself. The program's value — what it passes to ``SUBMIT(...)``,
else its last expression — and its printed output go back as one JSON line on the original stdout.
Running the (LM-written) program is the purpose of this process; nothing here runs in the parent.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import os
import resource
import signal
import stat
import sys
import sysconfig
import traceback
import types
from typing import Any

FILENAME = "<program>"

BLOCKED_IMPORTS = (
    "_posixsubprocess",
    "_xxsubinterpreters",
    "_xxinterpchannels",
    "_interpreters",
    "_testcapi",
    "_testinternalcapi",
    "_testbuffer",
    "_testmultiphase",
    "cffi",
    "_cffi_backend",
)
PROCESS_EVENTS = (
    "os.fork",
    "os.forkpty",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.startfile",
    "subprocess.Popen",
    "pty.spawn",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
    "resource.setrlimit",
    "resource.prlimit",
)
# event -> the positions of its arguments that are paths written to
WRITE_EVENTS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("os.remove", (0,)),
    ("os.rmdir", (0,)),
    ("os.mkdir", (0,)),
    ("os.rename", (0, 1)),
    ("os.chmod", (0,)),
    ("os.chown", (0,)),
    ("os.utime", (0,)),
    ("os.truncate", (0,)),
    ("os.chflags", (0,)),
    ("os.lchflags", (0,)),
    ("os.setxattr", (0,)),
    ("os.removexattr", (0,)),
    ("shutil.copyfile", (1,)),
    ("shutil.copymode", (1,)),
    ("shutil.copystat", (1,)),
    ("shutil.copytree", (1,)),
    ("shutil.rmtree", (0,)),
    ("shutil.move", (0, 1)),
    ("shutil.chown", (0,)),
    ("shutil.make_archive", (0,)),
    ("shutil.unpack_archive", (1,)),
)
DEVICES_READ = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
DEVICES_WRITE = ("/dev/null",)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _normalized(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _read_roots() -> tuple[str, ...]:
    roots: set[str] = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            roots.add(_normalized(paths[key]))
            roots.add(_normalized(os.path.realpath(paths[key])))
    stdlib = paths.get("stdlib")
    if stdlib:  # lib/pythonX.Y.zip and friends sit next to the standard library
        roots.add(_normalized(os.path.dirname(stdlib)))
        roots.add(_normalized(os.path.dirname(os.path.realpath(stdlib))))
    roots.add("/usr/share/zoneinfo")
    return tuple(sorted(roots))


def _make_hook(workdir: str, read_roots: tuple[str, ...]) -> Any:
    """The audit hook. Everything it uses is bound as a default argument now (and guarded
    against ``__defaults__``/``__code__`` changes), so the program cannot patch a module to
    change its decisions."""

    def hook(
        event: str,
        args: tuple[Any, ...],
        _workdir: str = workdir,
        _roots: tuple[str, ...] = read_roots,
        _getcwd: Any = os.getcwd,
        _fspath: Any = os.fspath,
        _stat: Any = os.stat,
        _isdir: Any = stat.S_ISDIR,
        _isinstance: Any = isinstance,
        _str: Any = str,
        _int: Any = int,
        _bytes: Any = bytes,
        _len: Any = len,
        _denied: Any = PermissionError,
        _blocked_imports: tuple[str, ...] = BLOCKED_IMPORTS,
        _process_events: tuple[str, ...] = PROCESS_EVENTS,
        _write_events: tuple[tuple[str, tuple[int, ...]], ...] = WRITE_EVENTS,
        _devices_read: tuple[str, ...] = DEVICES_READ,
        _devices_write: tuple[str, ...] = DEVICES_WRITE,
        _write_flags: int = WRITE_FLAGS,
        _self: Any = None,
    ) -> None:
        def absolute(path: Any) -> Any:
            """The absolute path (lexically), ``None`` for ``..`` anywhere, an int for an fd."""
            if _isinstance(path, _int):
                return path
            if path is None:
                return _getcwd()
            path = _fspath(path)
            if _isinstance(path, _bytes):
                path = path.decode("utf-8", "surrogateescape")
            if not path.startswith("/"):
                path = _getcwd() + "/" + path
            parts = []
            for part in path.split("/"):
                if part == "..":
                    return None
                if part and part != ".":
                    parts.append(part)
            return "/" + "/".join(parts)

        def inside(path: str, root: str) -> bool:
            return path == root or path.startswith(root + "/")

        def check_write(path: Any) -> None:
            where = absolute(path)
            if _isinstance(where, _int):
                return
            if where is None or not (inside(where, _workdir) or where in _devices_write):
                raise _denied(
                    f"sandbox: writing to {path!r} is not allowed (only inside the working directory)"
                )

        def check_read(path: Any, listing: bool = False) -> None:
            where = absolute(path)
            if _isinstance(where, _int):
                return
            if where is not None and inside(where, _workdir):
                return
            allowed = where is not None and (where in _devices_read or any(inside(where, r) for r in _roots))
            if allowed:
                if listing:
                    return
                try:  # a directory fd outside the working directory would anchor relative writes
                    is_dir = _isdir(_stat(where).st_mode)
                except OSError:
                    is_dir = False
                if not is_dir:
                    return
            raise _denied(
                f"sandbox: reading {path!r} is not allowed (only the working directory and "
                "Python's libraries are readable)"
            )

        if event == "open":
            path, mode, flags = args
            writing = (
                any(c in mode for c in "wax+") if _isinstance(mode, _str) else bool(flags & _write_flags)
            )
            if writing:
                check_write(path)
            else:
                check_read(path)
        elif event.startswith("socket."):
            raise _denied(f"sandbox: network access is not allowed ({event})")
        elif event in _process_events:
            raise _denied(f"sandbox: creating or signalling processes is not allowed ({event})")
        elif event == "import":
            name = _str(args[0])
            if any(part in _blocked_imports for part in name.split(".")):
                raise _denied(f"sandbox: importing {name} is not allowed")
            origin = args[1] if _len(args) > 1 else None
            if origin is not None:  # native code (an extension module) is loaded from a file
                where = absolute(origin)
                if where is None or inside(where, _workdir) or not any(inside(where, r) for r in _roots):
                    raise _denied(f"sandbox: loading native code from {origin!r} is not allowed")
        elif event.startswith("ctypes."):
            # ``import ctypes`` opens the running program (name None); nothing may be called.
            if not (event == "ctypes.dlopen" and args and args[0] is None):
                raise _denied(f"sandbox: calling native code through ctypes is not allowed ({event})")
        elif event in ("os.symlink", "os.link"):
            raise _denied(f"sandbox: creating links is not allowed ({event})")
        elif event in ("os.listdir", "os.scandir"):
            check_read(args[0], listing=True)
        elif event == "os.chdir":
            check_write(args[0])
        elif event.startswith(("os.", "shutil.")):
            for name, positions in _write_events:
                if name == event:
                    for position in positions:
                        if position < _len(args):
                            check_write(args[position])
        elif event == "object.__setattr__" and _len(args) > 1 and args[0] is _self:
            raise _denied("sandbox: changing the sandbox's audit hook is not allowed")

    # Point ``_self`` at the hook itself (before it is installed, so this is not audited).
    hook.__defaults__ = (*hook.__defaults__[:-1], hook)  # type: ignore[union-attr]
    return hook


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
    lower(resource.RLIMIT_NPROC, 0)  # no new processes or threads (ignored for root; the hook covers it)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized file write fails with EFBIG instead


class _Submitted(BaseException):
    def __init__(self, value: Any):
        super().__init__()
        self.value = value


def SUBMIT(*args: Any, **kwargs: Any) -> None:
    """End the program with its answer: ``SUBMIT(value)`` or ``SUBMIT(field=value, ...)``."""
    if len(args) > 1 or (args and kwargs):
        raise TypeError("SUBMIT takes one value or keyword arguments, e.g. SUBMIT({'answer': 42})")
    raise _Submitted(args[0] if args else kwargs)


def _describe(error: BaseException, limits: dict[str, Any]) -> tuple[str, str]:
    if isinstance(error, MemoryError):
        mb = int(limits["memory_bytes"]) // (1024 * 1024)
        return "MemoryError", f"MemoryError: out of memory (the sandbox allows {mb} MB)"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == FILENAME]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)] if frames else []
    lines += traceback.format_exception_only(type(error), error)
    return type(error).__name__, "".join(lines).rstrip()


def _jsonable(value: Any) -> tuple[Any, bool]:
    try:
        json.dumps(value)
        return value, False
    except (TypeError, ValueError):
        return repr(value), True


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Run the program of ``request``; the result dict (never raises for program errors)."""
    limits = request["limits"]
    code = request["code"]
    captured = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins, "SUBMIT": SUBMIT}
    namespace.update(request.get("variables") or {})
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    value, submitted = None, False
    sys.stdout = sys.stderr = captured
    try:
        tree = ast.parse(code, FILENAME, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        try:
            exec(compile(tree, FILENAME, "exec"), namespace)
            if last is not None:
                value = eval(compile(last, FILENAME, "eval"), namespace)
        except _Submitted as answer:
            value, submitted = answer.value, True
    except BaseException as error:  # the program's own failure, reported to the caller
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        error_type, message = _describe(error, limits)
        return {"ok": False, "error_type": error_type, "error": message, "stdout": _cut(captured, limits)}
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    value, is_repr = _jsonable(value)
    return {
        "ok": True,
        "value": value,
        "value_is_repr": is_repr,
        "submitted": submitted,
        "stdout": _cut(captured, limits),
    }


def _cut(buffer: io.StringIO, limits: dict[str, Any]) -> str:
    text = buffer.getvalue()
    cap = int(limits["max_output_chars"])
    return text if len(text) <= cap else text[:cap] + f"\n... (output cut at {cap} characters)"


def _no_process_module() -> types.ModuleType:
    """A stand-in for ``_posixsubprocess`` so that ``import subprocess`` (done by many libraries)
    works, while starting a process cannot."""
    module = types.ModuleType("_posixsubprocess")

    def fork_exec(*args: Any, **kwargs: Any) -> None:
        raise PermissionError("sandbox: creating processes is not allowed")

    module.fork_exec = fork_exec  # type: ignore[attr-defined]
    return module


def main() -> None:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    out_fd = os.dup(1)
    workdir = _normalized(request["workdir"])
    os.chdir(workdir)
    roots = _read_roots()
    _set_limits(request["limits"])
    sys.modules["_posixsubprocess"] = _no_process_module()
    sys.addaudithook(_make_hook(workdir, roots))
    try:
        result = run(request)
    except MemoryError:
        result = {
            "ok": False,
            "error_type": "MemoryError",
            "error": "MemoryError: out of memory",
            "stdout": "",
        }
    data = ("\n" + json.dumps(result) + "\n").encode("utf-8")
    while data:
        data = data[os.write(out_fd, data) :]


if __name__ == "__main__":
    main()
