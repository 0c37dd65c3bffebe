"""Module calls run through the registered call hooks, outermost first; the base class knows none
of them, and a class no hook applies to calls its forward directly."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dspex
from dspex.primitives import hooks
from dspex.primitives.assertions import ASSERTION_SCOPE

MODULE_SOURCE = Path(dspex.primitives.module.__file__)


class Echo(dspex.Module):
    def forward(self, **kwargs):
        return dspex.Prediction(**kwargs)

    async def aforward(self, **kwargs):
        return dspex.Prediction(**kwargs)


class Recorder(dspex.primitives.CallHook):
    def __init__(self, name, seen, order=100, only=None):
        self.name = name
        self.seen = seen
        self.order = order
        self.only = only

    def applies_to(self, cls):
        return self.only is None or issubclass(cls, self.only)

    def call(self, module, args, kwargs, proceed):
        self.seen.append(f"{self.name}:before")
        result = proceed(module, args, {**kwargs, self.name: True})
        self.seen.append(f"{self.name}:after")
        return result

    async def acall(self, module, args, kwargs, proceed):
        self.seen.append(f"{self.name}:before")
        result = await proceed(module, args, {**kwargs, self.name: True})
        self.seen.append(f"{self.name}:after")
        return result


@pytest.fixture
def registered():
    """Register hooks for one test; they are removed afterwards."""
    added = []

    def register(hook):
        added.append(dspex.primitives.register_call_hook(hook))
        return hook

    yield register
    for hook in added:
        dspex.primitives.unregister_call_hook(hook)


@pytest.fixture
def no_hooks():
    """No hook at all (not even the router and the assertion scope) during the test."""
    saved = dspex.primitives.call_hooks()
    for hook in saved:
        dspex.primitives.unregister_call_hook(hook)
    yield
    for hook in saved:
        dspex.primitives.register_call_hook(hook)


def test_importing_dspex_registers_the_assertion_scope_and_the_router():
    assert dspex.primitives.call_hooks() == (ASSERTION_SCOPE, dspex.hybrid.router.ROUTER)


def test_a_registered_hook_wraps_sync_and_async_calls(registered):
    seen = []
    registered(Recorder("outer", seen))

    assert Echo()(q=1).toDict() == {"q": 1, "outer": True}
    assert seen == ["outer:before", "outer:after"]


async def test_a_registered_hook_wraps_async_calls(registered):
    seen = []
    registered(Recorder("outer", seen))

    assert (await Echo().acall(q=1)).toDict() == {"q": 1, "outer": True}
    assert seen == ["outer:before", "outer:after"]


def test_hooks_with_a_lower_order_run_further_out(registered):
    seen = []
    registered(Recorder("inner", seen, order=300))
    registered(Recorder("outer", seen, order=10))

    Echo()(q=1)
    assert seen == ["outer:before", "inner:before", "inner:after", "outer:after"]


def test_a_hook_skips_classes_it_does_not_apply_to(registered):
    class Other(Echo):
        pass

    seen = []
    registered(Recorder("only_other", seen, only=Other))

    assert "only_other" not in Echo()(q=1)
    assert Other()(q=1).only_other is True
    assert seen == ["only_other:before", "only_other:after"]


def test_registering_or_removing_a_hook_rebuilds_the_cached_chains(registered):
    seen = []
    module = Echo()
    module(q=1)  # the chain of Echo is cached now
    hook = registered(Recorder("late", seen))
    module(q=1)
    assert seen == ["late:before", "late:after"]

    assert dspex.primitives.unregister_call_hook(hook) is True
    module(q=1)
    assert seen == ["late:before", "late:after"]
    assert dspex.primitives.unregister_call_hook(hook) is False


def test_registering_the_same_hook_twice_keeps_one(registered):
    seen = []
    hook = registered(Recorder("once", seen))
    dspex.primitives.register_call_hook(hook)

    Echo()(q=1)
    assert seen == ["once:before", "once:after"]


def test_only_call_hooks_can_be_registered():
    with pytest.raises(TypeError, match="needs a CallHook, got function"):
        dspex.primitives.register_call_hook(lambda module, args, kwargs, proceed: None)


def test_a_class_no_hook_applies_to_runs_forward_directly(no_hooks):
    assert hooks.chain_for(Echo).run is None
    assert hooks.chain_for(Echo).arun is None
    assert Echo()(q=1).q == 1


async def test_a_class_no_hook_applies_to_runs_aforward_directly(no_hooks):
    assert (await Echo().acall(q=1)).q == 1


def test_predict_runs_without_an_assertion_scope_of_its_own_but_a_subclass_with_its_own_forward_has_one():
    class Checked(dspex.Predict):
        def forward(self, **kwargs):
            return super().forward(**kwargs)

    assert ASSERTION_SCOPE not in hooks.chain_for(dspex.Predict).hooks
    assert ASSERTION_SCOPE not in hooks.chain_for(dspex.ChainOfThought).hooks
    assert ASSERTION_SCOPE in hooks.chain_for(Checked).hooks
    assert ASSERTION_SCOPE in hooks.chain_for(Echo).hooks


def test_the_base_class_imports_only_the_hook_machinery_and_its_own_helpers():
    tree = ast.parse(MODULE_SOURCE.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):  # imports inside functions too
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert {name for name in imported if name.startswith("dspex")} == {
        "dspex.primitives.hooks",
        "dspex.primitives.parallel.Parallel",
        "dspex.primitives.streamify.streamify",
    }
