"""Hybrid tests start with empty hybrid statistics and no event subscribers."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def clean_hybrid_state():
    from dspex.hybrid import telemetry

    telemetry.reset_stats()
    subscribers = telemetry._subscribers
    yield
    telemetry.reset_stats()
    telemetry._subscribers = subscribers


@pytest.fixture
def events():
    """Every hybrid event sent during the test."""
    import dspex

    seen = []
    dspex.hybrid.subscribe(seen.append)
    yield seen
    dspex.hybrid.unsubscribe(seen.append)
