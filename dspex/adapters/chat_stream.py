"""Follow ``[[ ## field ## ]]`` sections in completion text as it streams in.

Chunks of a field join to the text ``ChatAdapter.parse`` reads for it: a section starts after its
header line (text on the header line after the marker counts), leading and trailing whitespace is
dropped, unknown and repeated sections are skipped. Text that might still turn out to be a header
is held back until the line shows what it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from dspex.adapters.sections import FIELD_HEADER

__all__ = ["ChatFieldStream"]

_OPEN = "[[ ## "
_CLOSE = " ## ]]"


def _could_be_header(text: str) -> bool:
    """Whether ``text`` (a line start, left-stripped) may still grow into a field header."""
    if len(text) <= len(_OPEN):
        return _OPEN.startswith(text)
    if not text.startswith(_OPEN):
        return False
    rest = text[len(_OPEN) :]
    name_length = 0
    while name_length < len(rest) and (rest[name_length].isalnum() or rest[name_length] == "_"):
        name_length += 1
    after = rest[name_length:]
    return name_length > 0 and _CLOSE.startswith(after) if after else True


class ChatFieldStream:
    """Feed text deltas, get ``(field, text)`` chunks for the fields in ``wanted``."""

    def __init__(self, wanted: Iterable[str]):
        self.wanted = set(wanted)
        self.seen: set[str] = set()
        self.field: str | None = None
        self.line = ""  # the current line, not yet classified
        self.line_is_text = False  # the current line is known not to be a header
        self.started = False  # the current field has emitted non-space text
        self.pending = ""  # trailing whitespace held back

    def feed(self, delta: str) -> list[tuple[str, str]]:
        """The chunks that ``delta`` completes."""
        out: list[tuple[str, str]] = []
        while delta:
            newline = delta.find("\n")
            if newline < 0:
                self._partial(delta, out)
                break
            self._line_end(delta[: newline + 1], out)
            delta = delta[newline + 1 :]
        return out

    def close(self) -> list[tuple[str, str]]:
        """The chunks still held back when the stream ends."""
        out: list[tuple[str, str]] = []
        if self.line and not self.line_is_text:
            self._classify(self.line, out, complete=True)
        self.line = ""
        return out

    # -- internals --------------------------------------------------------------------------
    def _partial(self, text: str, out: list[tuple[str, str]]) -> None:
        if self.line_is_text:
            self._text(text, out)
            return
        self.line += text
        stripped = self.line.lstrip()
        if not stripped or _could_be_header(stripped):
            if FIELD_HEADER.match(stripped):
                self._classify(self.line, out, complete=False)
            return
        self._classify(self.line, out, complete=False)

    def _line_end(self, text: str, out: list[tuple[str, str]]) -> None:
        if self.line_is_text:
            self._text(text, out)
        else:
            self._classify(self.line + text, out, complete=True)
        self.line = ""
        self.line_is_text = False

    def _classify(self, line: str, out: list[tuple[str, str]], *, complete: bool) -> None:
        """Decide whether ``line`` (so far) starts with a header; emit what follows it as text."""
        self.line = ""
        self.line_is_text = not complete
        match = FIELD_HEADER.match(line.strip())
        if match is None:
            self._text(line, out)
            return
        self.field = match.group(1)
        self.started = False
        self.pending = ""
        if self.field in self.seen:
            self.field = None  # a repeated section: the parser keeps the first one
        elif self.field is not None:
            self.seen.add(self.field)
        # The parser takes the header line's rest at the stripped match's offset, as DSPy does,
        # and strips it (a line still arriving keeps its spaces until the text after them shows).
        rest = line[match.end() :]
        self._text(rest.strip() + "\n" if complete else rest, out)

    def _text(self, text: str, out: list[tuple[str, str]]) -> None:
        field = self.field
        if field is None or field not in self.wanted or not text:
            return
        text = self.pending + text
        if not self.started:
            text = text.lstrip()
        body = text.rstrip()
        self.pending = text[len(body) :]
        if body:
            self.started = True
            out.append((field, body))
