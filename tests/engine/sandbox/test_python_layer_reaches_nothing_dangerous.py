"""From what a sandboxed program is given (the module stand-ins and its builtins), no path of
allowed attribute names, item lookups and ``type()`` calls leads to a real module, a frame, a
code object, or a function that opens files, evaluates text or imports."""

from __future__ import annotations

import builtins
import importlib
import io
import os
import sys
import types
import warnings
from collections import deque

import pytest

from dspex.sandbox import policy

pytestmark = pytest.mark.timeout(120)

DEPTH = 4
MAX_OBJECTS = 150_000


def _dangerous() -> dict[int, str]:
    named = {
        "builtins.eval": builtins.eval,
        "builtins.exec": builtins.exec,
        "builtins.compile": builtins.compile,
        "builtins.__import__": builtins.__import__,
        "builtins.open": builtins.open,
        "builtins.globals": builtins.globals,
        "builtins.locals": builtins.locals,
        "builtins.vars": builtins.vars,
        "builtins.input": builtins.input,
        "builtins.breakpoint": builtins.breakpoint,
        "builtins.__dict__": vars(builtins),
        "builtins.getattr": builtins.getattr,
        "io.open": io.open,
        "io.FileIO": io.FileIO,
        "os.system": os.system,
        "os.open": os.open,
        "os.popen": os.popen,
        "sys.modules": sys.modules,
        "importlib.import_module": importlib.import_module,
    }
    return {id(value): name for name, value in named.items()}


def _edges(obj):
    yield "type()", type(obj)
    if isinstance(obj, dict):
        for key, value in list(obj.items())[:200]:
            yield f"[{key!r}]", value
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for index, value in enumerate(list(obj)[:200]):
            yield f"[{index}]", value
    try:
        names = dir(obj)
    except Exception:
        return
    for name in names:
        if not policy.attribute_allowed(name):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # deprecated aliases warn when read
                value = getattr(obj, name)
        except Exception:
            continue
        yield f".{name}", value


def test_no_allowed_path_reaches_a_dangerous_object():
    policy.preload()
    modules = policy.build_user_modules()
    given = policy.make_builtins(policy.make_import(modules))
    stand_ins = {id(module) for module in modules.values()}
    dangerous = _dangerous()
    bad_types = (types.FrameType, types.CodeType, types.TracebackType)

    queue = deque([(f"import {name}", module, 0) for name, module in modules.items()])
    queue.extend((f"builtin {name}", value, 0) for name, value in given.items())
    seen: set[int] = set()
    keep_alive = []  # ids stay unique only while the objects live
    found = []
    while queue and len(seen) < MAX_OBJECTS:
        path, obj, depth = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        keep_alive.append(obj)
        if isinstance(obj, types.ModuleType) and id(obj) not in stand_ins:
            found.append(f"{path} is the real module {obj.__name__}")
        elif isinstance(obj, bad_types):
            found.append(f"{path} is a {type(obj).__name__}")
        elif id(obj) in dangerous:
            found.append(f"{path} is {dangerous[id(obj)]}")
        if depth < DEPTH:
            queue.extend((path + step, value, depth + 1) for step, value in _edges(obj))

    assert not found, "\n".join(found[:30])
    assert len(seen) > 5_000  # the walk did explore
