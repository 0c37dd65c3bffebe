"""routing.decide: the one routing decision, a pure function of the call, the settings, the
registry's capability and (for adaptive) the recent record — tested without running anything."""

from __future__ import annotations

import pytest

import dspex
from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.registry import Capability
from dspex.hybrid.routing import Decision, decide

BOTH = Capability(registered=("native", "dspy"), available=("native", "dspy"), convertible=True)
NATIVE_ONLY = Capability(registered=("native",), available=("native",), convertible=False)
DSPY_ONLY = Capability(registered=("dspy",), available=("dspy",), convertible=False)
DSPY_NOT_INSTALLED = Capability(registered=("native", "dspy"), available=("native",), convertible=True)
UNKNOWN = Capability(registered=(), available=())


def record(count, error_rate=0.0, p50_ms=1.0):
    return {"window_count": count, "error_rate": error_rate, "p50_ms": p50_ms}


def windows_of(**records):
    return lambda backend: records[backend]


def test_auto_runs_natively_where_it_can_and_on_dspy_where_only_dspy_can():
    assert decide("predict", BOTH) == Decision("native")
    assert decide("react", DSPY_ONLY) == Decision("dspy")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"explicit": "dspy", "enclosing": "native", "instance": "native", "override": "native"}, "dspy"),
        ({"enclosing": "dspy", "instance": "native", "override": "native"}, "dspy"),
        ({"instance": "dspy", "override": "native", "default": "native"}, "dspy"),
        ({"override": "dspy", "default": "native"}, "dspy"),
        ({"default": "dspy"}, "dspy"),
        ({"explicit": "native", "default": "dspy"}, "native"),
    ],
)
def test_the_most_specific_preference_wins(given, expected):
    assert decide("predict", BOTH, **given).backend == expected


def test_an_insisted_backend_that_cannot_run_the_type_is_refused_with_what_can():
    with pytest.raises(BackendUnavailable) as caught:
        decide("pipeline", NATIVE_ONLY, explicit="dspy")
    assert (caught.value.type_name, caught.value.backend, caught.value.available) == (
        "pipeline",
        "dspy",
        ["native"],
    )


def test_a_registered_but_missing_dspy_says_how_to_install_it():
    with pytest.raises(BackendUnavailable, match=r"dspy is not installed; pip install 'dspex\[dspy\]'"):
        decide("predict", DSPY_NOT_INSTALLED, explicit="dspy")


def test_an_unknown_type_says_so_under_any_preference():
    for preference in ("auto", "native", "adaptive"):
        with pytest.raises(BackendUnavailable, match="unknown type"):
            decide("teleport", UNKNOWN, default=preference)


def test_an_unknown_preference_names_the_valid_ones():
    with pytest.raises(ValueError, match="auto, native, dspy, adaptive; got 'fast'"):
        decide("predict", BOTH, instance="fast")


def test_a_native_type_without_a_converter_cannot_be_sent_to_dspy():
    capability = Capability(registered=("native", "dspy"), available=("native", "dspy"), convertible=False)
    with pytest.raises(BackendUnavailable, match="no converter from the native predict to dspy"):
        decide("predict", capability, explicit="dspy")


def test_fallback_is_offered_only_when_dspy_can_take_over():
    assert decide("predict", BOTH, fallback=True) == Decision("native", fallback=True)
    assert decide("predict", BOTH, fallback=False).fallback is False
    assert decide("pipeline", NATIVE_ONLY, fallback=True).fallback is False
    assert decide("predict", DSPY_NOT_INSTALLED, fallback=True).fallback is False


def test_a_module_built_on_dspy_runs_on_dspy_and_refuses_native():
    assert decide("react", BOTH, dspy_only=True, default="auto") == Decision("dspy")
    with pytest.raises(BackendUnavailable, match="built on dspy"):
        decide("react", BOTH, dspy_only=True, explicit="native")


def test_adaptive_behaves_like_auto_until_both_backends_have_enough_samples():
    windows = windows_of(native=record(3, error_rate=0.5), dspy=record(20, error_rate=0.0))
    decision = decide("predict", BOTH, default="adaptive", windows=windows, min_samples=20)
    assert decision == Decision("native", lasting=False)


def test_adaptive_picks_the_lower_error_rate_then_the_lower_p50_and_ties_go_native():
    lower_errors = windows_of(native=record(20, error_rate=0.2), dspy=record(20, error_rate=0.1))
    faster = windows_of(native=record(20, p50_ms=9.0), dspy=record(20, p50_ms=3.0))
    tie = windows_of(native=record(20), dspy=record(20))
    for windows, expected in ((lower_errors, "dspy"), (faster, "dspy"), (tie, "native")):
        assert (
            decide("predict", BOTH, default="adaptive", windows=windows, min_samples=20).backend == expected
        )


def test_adaptive_decisions_are_not_lasting_and_the_others_are():
    windows = windows_of(native=record(0), dspy=record(0))
    assert decide("predict", BOTH, default="adaptive", windows=windows).lasting is False
    assert decide("predict", BOTH, default="auto").lasting is True
    assert decide("predict", BOTH, explicit="dspy").lasting is True


def test_decide_reads_no_settings_only_its_arguments():
    dspex.configure(backend="dspy", overrides={"predict": "dspy"}, fallback=True)
    assert decide("predict", BOTH) == Decision("native")
