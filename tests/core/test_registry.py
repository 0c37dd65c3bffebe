"""The one registry type of named things (core.registry): code entries, the setting in one format
(plus a kind's older form), one error for unknown keys, ImproperlyConfigured for bad settings, and
nothing imported until an entry is used."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.registry import Entry, Registry, UnknownName

SETTING = "DSPEX_TEST_THINGS"


@dataclass(frozen=True)
class Thing:
    key: str
    path: str
    label: str = ""
    description: str = ""
    fast: bool = False


@pytest.fixture
def things() -> Registry[Thing]:
    registry = Registry("thing", setting=SETTING, entry_type=Thing, identifiers=True)
    registry.register("plain", "tests.core.lazily_imported.thing")
    registry.register("quick", "tests.core.lazily_imported.thing", label="Quick", fast=True)
    return registry


def test_an_entry_registered_in_code_is_found_by_its_key(things):
    assert things.get("quick") == Thing("quick", "tests.core.lazily_imported.thing", "Quick", "", True)
    assert things.get("plain").label == "plain"  # the label defaults to the key
    assert things.names() == ["plain", "quick"]
    assert things.choices() == [("plain", "plain"), ("quick", "Quick")]
    assert "quick" in things and "nope" not in things and ["unhashable"] not in things


def test_an_unknown_key_names_the_known_ones_and_the_setting(things):
    with pytest.raises(KeyError) as caught:
        things.get("nope")
    assert isinstance(caught.value, UnknownName)
    message = "unknown thing 'nope' (known: plain, quick; add more with the DSPEX_TEST_THINGS setting)"
    assert str(caught.value) == caught.value.args[0] == message


def test_an_empty_registry_says_none_are_known():
    empty = Registry("tool", setting=SETTING, entry_type=Entry)
    with pytest.raises(UnknownName, match=r"known: none;"):
        empty.get("calculator")


def test_the_setting_adds_entries_in_either_form_and_wins_over_code(things, settings):
    settings.DSPEX_TEST_THINGS = {
        "short": "tests.core.lazily_imported.thing",
        "plain": {"path": "x.other", "label": "Plain", "description": "d", "fast": True},
    }
    assert things.names() == ["plain", "quick", "short"]
    assert things.get("short") == Thing("short", "tests.core.lazily_imported.thing", "short")
    assert things.get("plain") == Thing("plain", "x.other", "Plain", "d", True)


def test_the_setting_is_read_when_asked(things, settings):
    assert "late" not in things
    settings.DSPEX_TEST_THINGS = {"late": "tests.core.lazily_imported.thing"}
    assert "late" in things
    del settings.DSPEX_TEST_THINGS
    assert things.names() == ["plain", "quick"]


def test_a_kind_may_accept_its_settings_older_forms(settings):
    tuples = Registry("thing", setting=SETTING, entry_type=Thing, positional=("label", "path", "fast"))
    settings.DSPEX_TEST_THINGS = {"a": ("A", "x.a"), "b": ["B", "x.b", True]}
    assert tuples.get("a") == Thing("a", "x.a", "A") and tuples.get("b") == Thing("b", "x.b", "B", "", True)
    paths = Registry("thing", setting=SETTING, entry_type=Thing, path_list=True)
    settings.DSPEX_TEST_THINGS = ["x.a", "x.b"]
    assert paths.names() == ["x.a", "x.b"] and paths.get("x.b").path == "x.b"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x.a", "DSPEX_TEST_THINGS must be a dict {key: dotted path or {'path': ..., ...}}, not str"),
        (["x.a"], "DSPEX_TEST_THINGS must be a dict"),
        ({"bad key": "x.a"}, "DSPEX_TEST_THINGS['bad key']: thing keys are identifiers, got 'bad key'"),
        ({3: "x.a"}, "DSPEX_TEST_THINGS[3]: thing keys are non-empty text, got 3"),
        ({"a": 3}, "DSPEX_TEST_THINGS['a']: expected a dotted path or {'path': ..., ...}, got int"),
        ({"a": ("A", "x.a")}, "DSPEX_TEST_THINGS['a']: expected a dotted path"),  # no older form here
        ({"a": {"label": "A"}}, "DSPEX_TEST_THINGS['a']: path must be a dotted path, got None"),
        ({"a": "os"}, "DSPEX_TEST_THINGS['a']: path must be a dotted path, got 'os'"),
        ({"a": {"path": "x.a", "wraps": True}}, "DSPEX_TEST_THINGS['a']: unknown option(s) wraps (allowed: "),
        ({"a": {"path": "x.a", "fast": "yes"}}, "DSPEX_TEST_THINGS['a']: fast must be bool, got 'yes'"),
        ({"a": {"path": "x.a", "label": 7}}, "DSPEX_TEST_THINGS['a']: label must be text, got 7"),
    ],
)
def test_a_bad_setting_is_improperly_configured_naming_the_setting_and_key(things, settings, value, message):
    settings.DSPEX_TEST_THINGS = value
    with pytest.raises(ImproperlyConfigured) as caught:
        things.get("plain")
    assert str(caught.value).startswith(message)


def test_a_tuple_of_the_older_form_needs_its_path(settings):
    tuples = Registry("thing", setting=SETTING, entry_type=Thing, positional=("label", "path", "fast"))
    settings.DSPEX_TEST_THINGS = {"a": ("A",)}
    with pytest.raises(ImproperlyConfigured, match=r"\['a'\]: a tuple of label, path, fast needs 2 to 3"):
        tuples.names()


def test_code_entries_need_a_good_key_and_known_options(things):
    with pytest.raises(ValueError, match="thing keys are identifiers, got 'a-b'"):
        things.register("a-b", "x.a")
    with pytest.raises(TypeError, match="thing entries take no option"):
        things.register("a", "x.a", wraps=True)
    loose = Registry("tool", setting=SETTING, entry_type=Entry)
    assert loose.register("a-b.c", "x.a").key == "a-b.c"
    with pytest.raises(ValueError, match="tool keys have no spaces"):
        loose.register("a b", "x.a")


def test_an_entry_type_needs_the_registry_fields():
    @dataclass(frozen=True)
    class Nameless:
        key: str
        path: str

    with pytest.raises(TypeError, match="Nameless lacks the registry field"):
        Registry("thing", setting=SETTING, entry_type=Nameless)  # type: ignore[type-var]


def test_nothing_is_imported_until_an_entry_is_loaded(things, settings):
    sys.modules.pop("tests.core.lazily_imported", None)
    settings.DSPEX_TEST_THINGS = {"missing": "tests.core.no_such_module.thing"}
    assert things.names() == ["plain", "quick", "missing"]  # registered and configured, not imported
    assert "tests.core.lazily_imported" not in sys.modules
    assert things.load("quick")() == "loaded"
    assert "tests.core.lazily_imported" in sys.modules
    with pytest.raises(ImportError):
        things.load("missing")


def test_a_code_entry_can_be_removed(things):
    things.unregister("quick")
    things.unregister("never_there")
    assert things.names() == ["plain"]
