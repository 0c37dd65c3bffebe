"""Streaming: output field text and status events of one execution, as they happen.

The parts live in the layers that use them: the stream channel (``StreamSink``, the messages,
``streamify``) beside the other execution primitives in :mod:`dspex.primitives`, and the parser
of the chat format's sections (``ChatFieldStream``) with the ChatAdapter in :mod:`dspex.adapters`.
This package is their public face.
"""

from dspex.adapters.chat_stream import ChatFieldStream
from dspex.primitives.streamify import streamify
from dspex.primitives.streams import StatusMessage, StreamChunk, StreamSink, active_sink, emit_status

__all__ = [
    "ChatFieldStream",
    "StatusMessage",
    "StreamChunk",
    "StreamSink",
    "active_sink",
    "emit_status",
    "streamify",
]
