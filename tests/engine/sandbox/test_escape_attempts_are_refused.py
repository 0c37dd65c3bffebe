"""Every known way out of the sandbox fails, the attempted side effect does not happen, and the
program gets an error it can read (the error ProgramOfThought shows the LM)."""

from __future__ import annotations

import socket
import sqlite3
import sysconfig
import uuid
from pathlib import Path

import pytest

from dspex.sandbox import PythonSandbox, SandboxLimits

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sandbox():
    return PythonSandbox(SandboxLimits(cpu_seconds=2, wall_seconds=8, memory_mb=256))


def refused(result, *fragments):
    """The program failed with a sandbox error naming each fragment."""
    assert not result.ok, result
    assert result.confinement == "seccomp"
    for fragment in fragments:
        assert fragment in result.error, result.error
    return result


def test_sqlite3_can_neither_read_nor_write_a_file(sandbox, open_dir):
    database = open_dir / "secret.db"
    with sqlite3.connect(database) as connection:
        connection.execute("create table secrets(value text)")
        connection.execute("insert into secrets values ('s3cret-row')")
    database.chmod(0o666)
    created = open_dir / "created.db"

    read = sandbox.run(
        f"import sqlite3\nsqlite3.connect({str(database)!r}).execute('select * from secrets').fetchall()"
    )
    write = sandbox.run(
        f"import sqlite3\nc = sqlite3.connect({str(created)!r})\nc.execute('create table t(x)')\nc.commit()"
    )
    native = sandbox.run("import _sqlite3")

    refused(read, "importing 'sqlite3' is not allowed")
    refused(write, "importing 'sqlite3' is not allowed")
    refused(native, "importing '_sqlite3' is not allowed")
    assert "s3cret-row" not in str(read)
    assert not created.exists()


def test_readline_can_neither_read_nor_write_history_files(sandbox, open_dir, secret_file):
    history = open_dir / "history"
    read = sandbox.run(f"import readline\nreadline.read_history_file({str(secret_file)!r})")
    write = sandbox.run(f"import readline\nreadline.write_history_file({str(history)!r})")
    refused(read, "importing 'readline' is not allowed")
    refused(write, "importing 'readline' is not allowed")
    assert not history.exists()


def test_no_pth_file_reaches_site_packages(sandbox):
    site_packages = Path(sysconfig.get_paths()["purelib"])
    pth = site_packages / f"dspex-escape-{uuid.uuid4().hex}.pth"
    attempts = [
        f"open({str(pth)!r}, 'w').write('# harmless\\n')",
        f"import sqlite3\nsqlite3.connect({str(pth)!r}).execute('create table t(x)')",
        f"import io\nio.open({str(pth)!r}, 'w').write('# harmless\\n')",
        f"import pathlib\npathlib.Path({str(pth)!r}).write_text('# harmless\\n')",
    ]
    try:
        results = [sandbox.run(code) for code in attempts]
        assert not pth.exists()
    finally:
        pth.unlink(missing_ok=True)
    refused(results[0], "opening files is not allowed")
    refused(results[1], "importing 'sqlite3' is not allowed")
    refused(results[2], "AttributeError")  # the sandbox's io offers StringIO and BytesIO only
    refused(results[3], "importing 'pathlib' is not allowed")


def test_native_code_through_ctypes_is_refused(sandbox, open_dir):
    marker = open_dir / "ctypes-ran"
    system = sandbox.run(f"import ctypes\nctypes.CDLL(None).system(b'touch {marker}')")
    opened = sandbox.run("import ctypes\nctypes.CDLL('libc.so.6').open(b'/etc/passwd', 0)")
    native = sandbox.run("import _ctypes")
    refused(system, "importing 'ctypes' is not allowed")
    refused(opened, "importing 'ctypes' is not allowed")
    refused(native, "importing '_ctypes' is not allowed")
    assert not marker.exists()


def test_no_process_can_be_started(sandbox, open_dir):
    marker = open_dir / "process-ran"
    attempts = {
        "_posixsubprocess": (
            "import _posixsubprocess\n"
            f"_posixsubprocess.fork_exec([b'/usr/bin/touch', b'{marker}'], [b'/usr/bin/touch'], True, (), "
            "None, None, -1, -1, -1, -1, -1, -1, -1, -1, False, False, None, None, None, -1, None, False)"
        ),
        "os": f"import os\nos.system('touch {marker}')",
        "subprocess": f"import subprocess\nsubprocess.run(['touch', {str(marker)!r}])",
        "pty": f"import pty\npty.spawn(['touch', {str(marker)!r}])",
        "multiprocessing": "import multiprocessing\nmultiprocessing.Process(target=print).start()",
        "posix": f"__import__('posix').system('touch {marker}')",
    }
    for module, code in attempts.items():
        refused(sandbox.run(code), f"importing {module!r} is not allowed")
    assert not marker.exists()


def test_opening_etc_passwd_is_refused(sandbox):
    result = refused(sandbox.run("open('/etc/passwd').read()"), "opening files is not allowed")
    assert "root:" not in str(result)


def test_walking_subclasses_is_refused(sandbox, open_dir):
    marker = open_dir / "subclass-walk-ran"
    wrap_close = (
        "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]"
        f".__init__.__globals__['system']('touch {marker}')"
    )
    importer = (
        "[c for c in object.__subclasses__() if c.__name__ == 'BuiltinImporter'][0]"
        f".load_module('posix').system('touch {marker}')"
    )
    refused(sandbox.run(wrap_close), "the attribute '__class__'")
    refused(sandbox.run(importer), "the attribute '__subclasses__'")
    refused(sandbox.run("type.__subclasses__(object)"), "the attribute '__subclasses__'")
    # the same, with the names built at run time
    dynamic = "getattr(getattr(getattr((), '__cla' + 'ss__'), '__ba' + 'se__'), '__subcl' + 'asses__')()"
    refused(sandbox.run(dynamic), "'__class__' is not available")
    getter = "import operator\noperator.attrgetter('__class__')(())"
    refused(sandbox.run(getter), "'__class__' is not available")
    refused(sandbox.run("import operator\noperator.methodcaller('__reduce_ex__', 2)(())"), "'__reduce_ex__'")
    refused(sandbox.run("import string\nstring.Formatter().get_field('0.__class__', [()], {})"), "Formatter")
    refused(sandbox.run("vars(type)"), "NameError")
    refused(sandbox.run("match ():\n    case object(__class__=c):\n        c"), "'__class__'")
    assert not marker.exists()


def test_sys_modules_loaders_and_specs_are_out_of_reach(sandbox):
    refused(sandbox.run("import sys\nsys.modules['os'].system('true')"), "importing 'sys' is not allowed")
    refused(sandbox.run("__import__('sys')"), "importing 'sys' is not allowed")
    refused(sandbox.run("__loader__.load_module('posix')"), "the name '__loader__'")
    refused(sandbox.run("import math\nmath.__loader__"), "the attribute '__loader__'")
    refused(sandbox.run("import math\nmath.__spec__.loader"), "the attribute '__spec__'")
    refused(sandbox.run("__spec__"), "the name '__spec__'")
    refused(sandbox.run("__builtins__['__import__']('posix')"), "the name '__builtins__'")
    refused(sandbox.run("import importlib\nimportlib.import_module('posix')"), "importing 'importlib'")
    refused(sandbox.run("from . import x"), "a relative import")
    # allowed modules come without the modules they imported
    refused(sandbox.run("import typing\ntyping.sys.modules"), "AttributeError")
    refused(sandbox.run("import dataclasses\ndataclasses.inspect"), "AttributeError")
    refused(sandbox.run("import random\nrandom._os"), "the attribute '_os'")


def test_gc_cannot_hand_out_objects(sandbox):
    code = "import gc\n[o for o in gc.get_objects() if getattr(o, '__name__', '') == 'open']"
    refused(sandbox.run(code), "importing 'gc' is not allowed")


def test_no_connection_reaches_a_listening_socket(sandbox):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        results = [
            sandbox.run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)"),
            sandbox.run(f"import _socket\n_socket.socket().connect(('127.0.0.1', {port}))"),
            sandbox.run(f"import http.client\nhttp.client.HTTPConnection('127.0.0.1', {port}).connect()"),
            sandbox.run(f"import asyncio\nasyncio.run(asyncio.open_connection('127.0.0.1', {port}))"),
        ]
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    for result, module in zip(results, ("socket", "_socket", "http.client", "asyncio"), strict=True):
        refused(result, f"importing {module!r} is not allowed")


def test_frames_and_function_globals_are_out_of_reach(sandbox):
    refused(sandbox.run("import sys\nsys._getframe().f_globals"), "the attribute '_getframe'")
    refused(sandbox.run("(lambda: 0).__globals__['__builtins__']"), "the attribute '__globals__'")
    refused(sandbox.run("SUBMIT.__globals__['os']"), "the attribute '__globals__'")
    refused(sandbox.run("def g():\n    yield 1\ng().gi_frame.f_back.f_globals"), "the attribute 'gi_frame'")
    refused(sandbox.run("try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__"), "'__traceback__'")
    exit_with_traceback = (
        "class Grab:\n"
        "    def __enter__(self):\n"
        "        return self\n"
        "    def __exit__(self, kind, error, tb):\n"
        "        self.frame = getattr(tb, 'tb_frame')\n"
        "with Grab():\n"
        "    1 / 0\n"
    )
    refused(sandbox.run(exit_with_traceback), "'tb_frame' is not available")
    refused(sandbox.run("(lambda: 0).__code__"), "the attribute '__code__'")


def test_evaluating_text_is_not_possible(sandbox):
    for builtin in ("eval", "exec", "compile", "globals", "locals", "vars", "input", "breakpoint"):
        refused(sandbox.run(f"{builtin}('1')"), f"NameError: name '{builtin}' is not defined")
    # library functions that evaluate strings (annotations) are left out of the stand-ins
    hints = "import typing\ndef f(x: '().__class__'):\n    pass\ntyping.get_type_hints(f)"
    refused(sandbox.run(hints), "AttributeError")
    dispatch = "import functools\nfunctools.singledispatch"
    refused(sandbox.run(dispatch), "AttributeError")
