"""A module type that proves concurrency: each call waits until ``parties`` calls are in flight."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import dspex
from dspex.modules import register_module, unregister_module


class Rendezvous(dspex.Module):
    """Returns its inputs joined once ``parties`` calls have arrived (BrokenBarrierError after
    ``timeout`` seconds when they never do, i.e. when the calls run one after another)."""

    barriers: dict[int, threading.Barrier] = {}

    def __init__(self, signature: Any, parties: int = 2, timeout: float = 5.0):
        self.signature = dspex.ensure_signature(signature)
        self.parties = parties
        self.timeout = timeout

    def forward(self, **inputs: Any) -> dspex.Prediction:
        barrier = self.barriers.setdefault(
            self.parties, threading.Barrier(self.parties, timeout=self.timeout)
        )
        barrier.wait()
        name = next(iter(self.signature.output_fields))
        return dspex.Prediction(**{name: "|".join(str(v) for v in inputs.values())})


@pytest.fixture
def rendezvous_module() -> Iterator[type[Rendezvous]]:
    Rendezvous.barriers = {}
    register_module("rendezvous", Rendezvous, replace=True)
    yield Rendezvous
    unregister_module("rendezvous")
