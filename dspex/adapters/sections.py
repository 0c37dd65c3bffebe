"""The chat format's ``[[ ## name ## ]]`` sections: the marker, and inputs or outputs written as
sections. Shared by the ChatAdapter, the JSONAdapter (its inputs are sections too) and the
parser that follows sections while a completion streams in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.formatting import format_value

if TYPE_CHECKING:
    from dspex.signatures.field import FieldInfo

__all__ = ["COMPLETED", "FIELD_HEADER", "STRUCTURE_INTRO", "format_sections", "section"]

FIELD_HEADER = re.compile(r"\[\[ ## (\w+) ## \]\]")
"""A section header; group 1 is the field name. Matched at the start of a stripped line."""

COMPLETED = "[[ ## completed ## ]]"
"""The marker that ends an answer."""

STRUCTURE_INTRO = (
    "All interactions will be structured in the following way, with the appropriate values filled in."
)


def section(name: str, text: str) -> str:
    """One section: the header line, then ``text``."""
    return f"[[ ## {name} ## ]]\n{text}"


def format_sections(values: Mapping[str, tuple[FieldInfo, Any]]) -> str:
    """``{name: (field, value)}`` as sections separated by blank lines (values rendered as in
    prompts, see :func:`dspex.adapters.formatting.format_value`)."""
    return "\n\n".join(section(name, format_value(f, v)) for name, (f, v) in values.items()).strip()
