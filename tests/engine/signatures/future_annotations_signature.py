"""A signature module written with postponed annotations (``from __future__ import annotations``).

Used by ``test_class_syntax.py``: the field types here are strings until resolved.
"""

from __future__ import annotations

from typing import Literal

import pydantic

import dspex


class Citation(pydantic.BaseModel):
    source: str
    page: int


class CitedAnswer(dspex.Signature):
    """Answer with citations."""

    question: str = dspex.InputField()
    passages: list[str] = dspex.InputField(desc="retrieved passages")
    answer: str = dspex.OutputField()
    citations: list[Citation] = dspex.OutputField()
    confidence: Literal["low", "high"] | None = dspex.OutputField()
