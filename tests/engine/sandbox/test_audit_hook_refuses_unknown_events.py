"""The child's audit hook (defence in depth behind the allow-list and the seccomp filter) refuses
every event it does not know to be harmless, frame access, and changes to itself."""

from __future__ import annotations

import sys

import pytest

from dspex.sandbox import child


@pytest.fixture
def hook():
    return child._make_hook()


@pytest.mark.parametrize(
    ("event", "args"),
    [
        ("open", ("/etc/passwd", "r", 0)),
        ("import", ("os", None, [], [], [])),
        ("socket.connect", (None, ("127.0.0.1", 80))),
        ("os.system", (b"id",)),
        ("subprocess.Popen", ("id", ["id"], None, None)),
        ("os.fork", ()),
        ("ctypes.dlopen", ("libc.so.6",)),
        ("sqlite3.connect", ("/tmp/x",)),
        ("code.__new__", (None, "", "", 0, 0)),
        ("gc.get_objects", (-1,)),
        ("sys._current_frames", ()),
        ("marshal.loads", (b"",)),
    ],
)
def test_it_refuses_what_it_does_not_know(hook, event, args):
    function, _ = hook
    with pytest.raises(PermissionError, match=f"sandbox: {event} is not allowed"):
        function(event, args)


def test_it_lets_ordinary_running_and_class_building_through(hook):
    function, _ = hook
    code = compile("1", "<program>", "eval")
    for event, args in [
        ("exec", (code,)),
        ("compile", (b"1", "<string>")),
        ("sys._getframe", (sys._getframe(),)),
        ("object.__setattr__", (type("C", (), {}), "x", 1)),
        ("object.__getattr__", (lambda: 0, "__code__")),  # inspect.signature, for dataclasses
        ("array.__new__", ("i", [])),
    ]:
        function(event, args)


def test_frames_are_readable_only_while_the_child_reads_a_traceback(hook):
    function, trusted = hook
    try:
        _ = 1 / 0
    except ZeroDivisionError as error:
        tb = error.__traceback__
    with pytest.raises(PermissionError, match="reading 'tb_frame' is not allowed"):
        function("object.__getattr__", (tb, "tb_frame"))
    trusted[0] = True
    function("object.__getattr__", (tb, "tb_frame"))


def test_it_cannot_be_changed_or_inspected(hook):
    function, trusted = hook
    trusted[0] = True  # not even while trusted
    with pytest.raises(PermissionError, match="cannot be inspected or changed"):
        function("object.__setattr__", (function, "__code__", (lambda: 0).__code__))
    with pytest.raises(PermissionError, match="cannot be inspected or changed"):
        function("object.__getattr__", (function, "__defaults__"))
