"""Stream listeners: which output field of which predictor a streamed execution sends, as
:class:`StreamResponse` pieces."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["StreamListener", "StreamResponse"]


@dataclass
class StreamResponse:
    """A piece of output field ``signature_field_name`` of predictor ``predict_name``; the field's
    last piece has ``is_last_chunk=True``."""

    predict_name: str
    signature_field_name: str
    chunk: Any
    is_last_chunk: bool


_CHAT_START = "[[ ##"


class StreamListener:
    """Listen to output field ``signature_field_name`` of ``predict`` (by default the program's
    predictor whose signature has that output field). ``predict_name`` overrides the name the
    pieces carry. A listener follows one call of its predictor unless ``allow_reuse``."""

    def __init__(
        self,
        signature_field_name: str,
        predict: Any = None,
        predict_name: str | None = None,
        allow_reuse: bool = False,
    ):
        self.signature_field_name = signature_field_name
        self.predict = predict
        self.predict_name = predict_name
        self.allow_reuse = allow_reuse
        self.stream_end = False

    def bind(self, program: Any) -> None:
        """Find the predictor and its name in ``program`` (``ValueError`` when none has the field)."""
        for name, predictor in program.named_predictors():
            if self.predict is not None and predictor is not self.predict:
                continue
            if self.predict is None and self.signature_field_name not in predictor.signature.output_fields:
                continue
            self.predict = predictor
            self.predict_name = self.predict_name or name
            return
        if self.predict is not None and self.predict_name is not None:
            return
        raise ValueError(
            f"no predictor of the program has the output field {self.signature_field_name!r} to listen to"
        )

    def _could_form_end_identifier(self, text: str, adapter_name: str) -> bool:
        """Whether the end of ``text`` may be the start of the marker that closes a field in the
        ``adapter_name`` format (so a streamer holds it back until it knows)."""
        if adapter_name == "JSONAdapter":
            return re.search(r'"\s*[,}]?\s*$', text) is not None
        if adapter_name == "XMLAdapter":
            return _ends_with_prefix_of(text, f"</{self.signature_field_name}>")
        if _ends_with_prefix_of(text, _CHAT_START + " "):
            return True
        start = text.rfind(_CHAT_START)
        return start >= 0 and re.fullmatch(r"[\w\s]*", text[start + len(_CHAT_START) :]) is not None


def _ends_with_prefix_of(text: str, marker: str) -> bool:
    return any(text.endswith(marker[:size]) for size in range(len(marker), 0, -1))
