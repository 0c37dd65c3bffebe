"""A module only the registry test imports, through a registry entry (to see that it is lazy)."""

from __future__ import annotations


def thing() -> str:
    """What the entry names."""
    return "loaded"
