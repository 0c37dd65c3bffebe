"""Module structure: named_sub_modules, parameters(), set_attribute_by_name, deep copies."""

from __future__ import annotations

import threading

import pytest

import dspex
from dspex.primitives.module import set_attribute_by_name


def test_named_sub_modules_starts_with_self_and_goes_breadth_first():
    root = dspex.Module()
    root.a = dspex.Module()
    root.a.deep = dspex.Module()
    root.b = dspex.Module()

    assert list(root.named_sub_modules()) == [
        ("self", root),
        ("self.a", root.a),
        ("self.b", root.b),
        ("self.a.deep", root.a.deep),
    ]


def test_named_sub_modules_looks_into_lists_tuples_and_dicts_and_lists_a_module_once():
    root = dspex.Module()
    shared = dspex.Module()
    root.items = [dspex.Module(), {"key": shared}]
    root.pair = (shared, "not a module")

    names = [name for name, _ in root.named_sub_modules()]

    assert names == ["self", "self.items[0]", "self.pair[0]"]  # shared: under its first path


def test_named_sub_modules_filters_by_type_and_can_skip_compiled_programs():
    program = dspex.ChainOfThought("question -> answer")
    root = dspex.Module()
    root.program = program

    assert [name for name, _ in root.named_sub_modules(dspex.Predict)] == ["self.program.predict"]
    program._compiled = True
    assert [name for name, _ in root.named_sub_modules(skip_compiled=True)] == ["self", "self.program"]


def test_parameters_are_the_predictors():
    program = dspex.ChainOfThought("question -> answer")

    assert program.parameters() == [program.predict]


def test_set_attribute_by_name_follows_attributes_indexes_and_keys():
    root = dspex.Module()
    root.sub = dspex.Module()
    root.sub.items = [dspex.Module(), {"key": dspex.Module()}]

    set_attribute_by_name(root, "flag", 1)
    set_attribute_by_name(root, "sub.items[0].flag", 2)
    set_attribute_by_name(root, "sub.items[1]['key'].flag", 3)
    set_attribute_by_name(root, "sub.items[1][key]", "replaced")

    assert root.flag == 1
    assert root.sub.items[0].flag == 2
    assert root.sub.items[1]["key"] == "replaced"


@pytest.mark.parametrize("path", ["", ".a", "a b", "a[0]b", "[0]", "__import__('os').system('true')"])
def test_set_attribute_by_name_refuses_what_is_not_a_path(path):
    with pytest.raises(ValueError, match="attribute path"):
        set_attribute_by_name(dspex.Module(), path, 1)


def test_deepcopy_shares_what_cannot_be_copied_and_still_copies_the_predictors():
    class Holder(dspex.Module):
        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.cot = dspex.ChainOfThought("q -> a")

    class Outer(dspex.Module):
        def __init__(self) -> None:
            self.inner = Holder()

    program = Outer()
    program.inner.cot.predict.demos = [dspex.Example(q="1", a="2")]

    clone = program.deepcopy()

    assert clone.inner.lock is program.inner.lock
    assert clone.parameters()[0] is not program.parameters()[0]
    assert vars(clone.parameters()[0]) == vars(program.parameters()[0])
    assert clone.inner.cot.predict.demos is not program.inner.cot.predict.demos
    assert clone.reset_copy().inner.cot.predict.demos == []


def test_a_new_module_is_not_compiled():
    assert dspex.Module()._compiled is False


def test_a_predictor_held_twice_is_one_predictor_in_a_copy_made_attribute_by_attribute():
    class Twice(dspex.Module):
        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.first = dspex.Predict("q -> a")
            self.second = self.first

    program = Twice()
    clone = program.deepcopy()

    assert clone.lock is program.lock
    assert clone.first is clone.second and clone.first is not program.first
