"""The sandbox's Python layer: what a sandboxed program can name, import and reach.

Standard library only (it is loaded by file path into the sandbox child, which must not import
``dspex``). Deny by construction rather than by inspecting what happens:

* the program is checked before it runs (:func:`check_program`): no attribute or name that starts
  with an underscore except a few harmless special methods (so no ``__class__``, ``__subclasses__``,
  ``__globals__``, ``__builtins__``, ``__loader__``, ``__spec__``, ``__dict__``...), and none of the
  frame, code and traceback internals (``f_globals``, ``tb_frame``, ``gi_frame``...);
* its builtins are a fresh dict (:func:`make_builtins`) without ``eval``, ``exec``, ``compile``,
  ``globals``, ``vars``, ``input``, ``breakpoint``; ``open`` refuses; ``getattr`` and friends apply
  the same name rule at run time; ``__import__`` only hands out modules of :data:`ALLOWED_MODULES`;
* an allowed module is never the real one but a copy of its public names (:func:`build_user_modules`)
  without the modules it imported (``typing.sys``, ``random._os``...) and without the few functions
  that would evaluate text or look attributes up by name (``typing.get_type_hints``,
  ``string.Formatter``, ``functools.singledispatch``); ``operator.attrgetter`` and
  ``methodcaller`` apply the name rule;
* after the child has loaded what it needs, :func:`seal_imports` empties ``sys.path`` and
  ``sys.meta_path`` (only a finder that refuses is left), drops the modules that touch files,
  processes or memory from ``sys.modules`` and makes the real ``open`` refuse.

The OS layer (:mod:`seccomp`) stands behind all of this: should something here be bypassed, the
process still cannot open a file, a socket or a process.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import importlib
import operator
import sys
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "ALLOWED_MODULES",
    "attribute_allowed",
    "build_user_modules",
    "check_program",
    "make_builtins",
    "make_import",
    "name_allowed",
    "preload",
    "seal_imports",
]

# Modules a program may import, each with the public names it may not use.
# Pure computation only: nothing here opens files, sockets or processes, or reads memory.
ALLOWED_MODULES: dict[str, frozenset[str]] = {
    "abc": frozenset(),
    "array": frozenset(),
    "base64": frozenset(),
    "binascii": frozenset(),
    "bisect": frozenset(),
    "calendar": frozenset(),
    "cmath": frozenset(),
    "collections": frozenset(),
    "collections.abc": frozenset(),
    "contextlib": frozenset({"chdir"}),
    "copy": frozenset(),
    "csv": frozenset(),
    "dataclasses": frozenset(),
    "datetime": frozenset(),
    "decimal": frozenset(),
    "difflib": frozenset(),
    "enum": frozenset(),
    "fractions": frozenset(),
    "functools": frozenset({"singledispatch", "singledispatchmethod"}),  # they evaluate annotations
    "graphlib": frozenset(),
    "hashlib": frozenset({"file_digest"}),
    "heapq": frozenset(),
    "io": frozenset(),  # only StringIO and BytesIO, see _ONLY
    "itertools": frozenset(),
    "json": frozenset(),
    "keyword": frozenset(),
    "math": frozenset(),
    "numbers": frozenset(),
    "operator": frozenset(),
    "pprint": frozenset(),
    "random": frozenset(),
    "re": frozenset(),
    "statistics": frozenset(),
    "string": frozenset({"Formatter"}),  # Formatter.get_field looks attributes up by name
    "struct": frozenset(),
    "textwrap": frozenset(),
    "time": frozenset({"tzset"}),
    "typing": frozenset({"get_type_hints"}),  # it evaluates string annotations
    "unicodedata": frozenset(),
}
# Modules of which only these names are offered.
_ONLY: dict[str, frozenset[str]] = {"io": frozenset({"StringIO", "BytesIO"})}

# Helpers the interpreter's C code imports through the running program's ``__import__``
# (``datetime.strptime``, ``time.strptime``), with the only functions it calls on them.
_C_HELPERS: dict[str, tuple[str, ...]] = {"_strptime": ("_strptime_datetime", "_strptime_time")}
# Loaded before the filter goes on because allowed modules import them lazily, or codecs look them up.
_INTERNAL_PRELOAD = tuple(_C_HELPERS)
_ENCODINGS = (
    "ascii",
    "latin-1",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "cp1252",
    "cp437",
    "iso8859-15",
    "mac-roman",
    "idna",
    "punycode",
    "unicode-escape",
    "raw-unicode-escape",
    "hex",
    "base64",
    "rot13",
)

# Dropped from sys.modules once the child is ready: every module that touches files, processes,
# memory or the import system (a program cannot reach sys.modules, but nothing should be left there).
_PURGED_PREFIXES = (
    "os",
    "posix",
    "posixpath",
    "genericpath",
    "subprocess",
    "_posixsubprocess",
    "socket",
    "_socket",
    "select",
    "selectors",
    "ctypes",
    "_ctypes",
    "sqlite3",
    "_sqlite3",
    "readline",
    "mmap",
    "fcntl",
    "pty",
    "tty",
    "termios",
    "signal",
    "_signal",
    "resource",
    "importlib",
    "_imp",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "zipimport",
    "marshal",
    "pickle",
    "_pickle",
    "shutil",
    "pathlib",
    "tempfile",
    "glob",
    "fnmatch",
    "multiprocessing",
    "_multiprocessing",
    "_thread",
    "threading",
    "gc",
    "inspect",
    "linecache",
    "tokenize",
    "traceback",
    "pwd",
    "grp",
    "faulthandler",
    "_tracemalloc",
    "tracemalloc",
    "pdb",
    "code",
    "codeop",
    "runpy",
    "site",
    "sysconfig",
    "platform",
    "zoneinfo",
    "locale",
    "sandbox_seccomp",
    "sandbox_policy",
)

# Special methods a program may name (calling them is no different from the operators).
_SAFE_DUNDERS = frozenset(
    f"__{name}__"
    for name in [
        "init",
        "new",
        "post_init",
        "name",
        "qualname",
        "doc",
        "len",
        "iter",
        "next",
        "reversed",
        "contains",
        "getitem",
        "setitem",
        "delitem",
        "missing",
        "str",
        "repr",
        "format",
        "bytes",
        "hash",
        "bool",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "add",
        "sub",
        "mul",
        "matmul",
        "truediv",
        "floordiv",
        "mod",
        "divmod",
        "pow",
        "lshift",
        "rshift",
        "and",
        "or",
        "xor",
        "neg",
        "pos",
        "abs",
        "invert",
        "round",
        "trunc",
        "floor",
        "ceil",
        "int",
        "float",
        "complex",
        "index",
        "radd",
        "rsub",
        "rmul",
        "rmatmul",
        "rtruediv",
        "rfloordiv",
        "rmod",
        "rdivmod",
        "rpow",
        "rlshift",
        "rrshift",
        "rand",
        "ror",
        "rxor",
        "iadd",
        "isub",
        "imul",
        "imatmul",
        "itruediv",
        "ifloordiv",
        "imod",
        "ipow",
        "ilshift",
        "irshift",
        "iand",
        "ior",
        "ixor",
        "enter",
        "exit",
        "aenter",
        "aexit",
        "aiter",
        "anext",
        "await",
        "call",
        "slots",
        "match_args",
        "members",  # Enum.__members__
    ]
)
# The public API of named tuples, which starts with an underscore.
_NAMEDTUPLE_API = frozenset({"_asdict", "_replace", "_fields", "_field_defaults", "_make"})
# Attributes without an underscore that still reach frames, code or globals.
_INTERNAL_ATTRIBUTES = frozenset(
    {
        "gi_frame",
        "gi_code",
        "gi_yieldfrom",
        "cr_frame",
        "cr_code",
        "cr_await",
        "cr_origin",
        "ag_frame",
        "ag_code",
        "ag_await",
        "tb_frame",
        "tb_next",
        "f_back",
        "f_builtins",
        "f_code",
        "f_globals",
        "f_locals",
        "f_trace",
        "func_globals",
        "func_code",
        "im_func",
        "im_self",
        "co_code",
        "co_consts",
        "cell_contents",
    }
)
# Names with two leading underscores a program may use.
_SAFE_NAMES = frozenset({"__name__", "__doc__", "__import__"})


def attribute_allowed(name: str) -> bool:
    """Whether a program may read, write or delete the attribute ``name``."""
    if name in _INTERNAL_ATTRIBUTES:
        return False
    return not name.startswith("_") or name in _SAFE_DUNDERS or name in _NAMEDTUPLE_API


def name_allowed(name: str) -> bool:
    """Whether a program may use the variable ``name``."""
    return not name.startswith("__") or name in _SAFE_NAMES


def _refuse_attribute(name: str) -> PermissionError:
    return PermissionError(
        f"sandbox: the attribute {name!r} is not available (attributes that start with an underscore, "
        "except the ordinary special methods, and frame or code internals cannot be used)"
    )


def check_program(tree: ast.AST) -> None:
    """Refuse (``PermissionError``, naming the line) a program that names a forbidden attribute
    or variable, or imports relatively or a private name; the first such place (in reading
    order) is named."""
    problems = sorted(_problems(tree), key=lambda item: item[0])
    if problems:
        (line, _), what = problems[0]
        raise PermissionError(f"sandbox: line {line}: {what} is not allowed in the sandbox")


def _problems(tree: ast.AST) -> Iterable[tuple[tuple[int, int], str]]:
    for node in ast.walk(tree):
        where = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
        if isinstance(node, ast.Attribute) and not attribute_allowed(node.attr):
            yield where, f"the attribute {node.attr!r} (underscore names and frame internals)"
        elif isinstance(node, ast.Name) and not name_allowed(node.id):
            yield where, f"the name {node.id!r} (names that start with two underscores)"
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                if not name_allowed(name):
                    yield where, f"the name {name!r}"
        elif isinstance(node, ast.MatchClass):
            for name in node.kwd_attrs:
                if not attribute_allowed(name):
                    yield where, f"matching the attribute {name!r}"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield where, "a relative import"
            for alias in node.names:
                if alias.name != "*" and not attribute_allowed(alias.name):
                    yield where, f"importing the private name {alias.name!r}"


# -- run-time guards -------------------------------------------------------------------------
def _checked(name: Any) -> Any:
    if isinstance(name, str) and not attribute_allowed(name):
        raise _refuse_attribute(name)
    return name


def _getattr(obj: Any, name: str, *default: Any) -> Any:
    return getattr(obj, _checked(name), *default)


def _hasattr(obj: Any, name: str) -> bool:
    return hasattr(obj, _checked(name))


def _setattr(obj: Any, name: str, value: Any) -> None:
    setattr(obj, _checked(name), value)


def _delattr(obj: Any, name: str) -> None:
    delattr(obj, _checked(name))


def _open(*args: Any, **kwargs: Any) -> Any:
    raise PermissionError(
        "sandbox: opening files is not allowed (the program has no file system: keep data in "
        "variables, or use io.StringIO / io.BytesIO)"
    )


def _attrgetter(*names: str) -> Any:
    for name in names:
        for part in str(name).split("."):
            _checked(part)
    return operator.attrgetter(*names)


def _methodcaller(name: str, *args: Any, **kwargs: Any) -> Any:
    return operator.methodcaller(_checked(name), *args, **kwargs)


_WRAPPED: dict[tuple[str, str], Callable[..., Any]] = {
    ("operator", "attrgetter"): _attrgetter,
    ("operator", "methodcaller"): _methodcaller,
}

# Builtins a program gets as they are.
_PLAIN_BUILTINS = [
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "complex",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "format",
    "frozenset",
    "hash",
    "hex",
    "id",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "zip",
]


def make_builtins(import_function: Callable[..., Any]) -> dict[str, Any]:
    """The ``__builtins__`` dict of a sandboxed program."""
    allowed: dict[str, Any] = {name: getattr(builtins, name) for name in _PLAIN_BUILTINS}
    for name, value in vars(builtins).items():  # every exception and warning class
        if isinstance(value, type) and issubclass(value, BaseException) and not name.startswith("_"):
            allowed[name] = value
    allowed.update(
        {
            "None": None,
            "True": True,
            "False": False,
            "Ellipsis": Ellipsis,
            "NotImplemented": NotImplemented,
            "__build_class__": builtins.__build_class__,  # `class` statements need it
            "__import__": import_function,
            "__name__": "builtins",
            "getattr": _getattr,
            "hasattr": _hasattr,
            "setattr": _setattr,
            "delattr": _delattr,
            "open": _open,
        }
    )
    return allowed


# -- modules ----------------------------------------------------------------------------------
def preload() -> None:
    """Import every allowed module and what they load lazily, and warm the caches that would
    otherwise read files later (time zone, codecs, hash constructors)."""
    for name in (*ALLOWED_MODULES, *_INTERNAL_PRELOAD):
        importlib.import_module(name)
    for encoding in _ENCODINGS:
        codecs.lookup(encoding)
    time.localtime()
    hashlib = sys.modules["hashlib"]
    for algorithm in sorted(hashlib.algorithms_available):
        try:
            hashlib.new(algorithm, b"")
        except (ValueError, TypeError):  # e.g. algorithms that need a length or are disabled
            pass


def build_user_modules() -> dict[str, types.ModuleType]:
    """The stand-in of each allowed module a program imports (see the module docstring)."""
    made: dict[str, types.ModuleType] = {}

    def stand_in(name: str) -> types.ModuleType:
        if name in made:
            return made[name]
        real = sys.modules[name]
        module = types.ModuleType(name, getattr(real, "__doc__", None))
        made[name] = module
        only = _ONLY.get(name)
        public = []
        for attribute in dir(real):
            if attribute.startswith("_") or attribute in ALLOWED_MODULES[name]:
                continue
            if only is not None and attribute not in only:
                continue
            value = getattr(real, attribute)
            if isinstance(value, types.ModuleType):
                if value.__name__ not in ALLOWED_MODULES:
                    continue  # typing.sys, dataclasses.inspect, ...
                value = stand_in(value.__name__)
            value = _WRAPPED.get((name, attribute), value)
            setattr(module, attribute, value)
            public.append(attribute)
        module.__all__ = public  # type: ignore[attr-defined]
        return module

    for name in ALLOWED_MODULES:
        stand_in(name)
    for name, functions in _C_HELPERS.items():
        helper = types.ModuleType(name)
        for function in functions:
            setattr(helper, function, getattr(sys.modules[name], function))
        made[name] = helper
    return made


def _available() -> str:
    return ", ".join(sorted(ALLOWED_MODULES))


def make_import(user_modules: dict[str, types.ModuleType]) -> Callable[..., Any]:
    """The program's ``__import__``: stand-ins of allowed modules, a clear ``ImportError`` else."""

    def sandbox_import(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Iterable[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        if level:
            raise ImportError("sandbox: relative imports are not available")
        if not isinstance(name, str) or name not in user_modules:
            raise ImportError(
                f"sandbox: importing {name!r} is not allowed; the sandbox offers only these modules: "
                f"{_available()}",
                name=name if isinstance(name, str) else None,
            )
        if fromlist:
            return user_modules[name]
        return user_modules[name.partition(".")[0]]

    return sandbox_import


class _RefuseImports:
    """The only meta path finder left once sealed: nothing more is imported."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        raise ImportError(f"sandbox: importing {name!r} is not allowed (the program runs sealed)")


def seal_imports() -> None:
    """No more imports (for anyone in the process), no dangerous module left in ``sys.modules``,
    and a real ``open`` that refuses. Run last before the program: the child's own code holds
    the references it still needs."""
    sys.meta_path[:] = [_RefuseImports()]
    sys.path[:] = []
    sys.path_hooks[:] = []
    sys.path_importer_cache.clear()
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top in _PURGED_PREFIXES or name in _PURGED_PREFIXES:
            del sys.modules[name]
    builtins.open = _open
