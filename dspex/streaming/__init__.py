"""Streaming: output field text and status events of one execution, as they happen."""

from dspex.streaming.chat_fields import ChatFieldStream
from dspex.streaming.messages import StatusMessage, StreamChunk
from dspex.streaming.sink import StreamSink, active_sink, emit_status
from dspex.streaming.streamify import streamify

__all__ = [
    "ChatFieldStream",
    "StatusMessage",
    "StreamChunk",
    "StreamSink",
    "active_sink",
    "emit_status",
    "streamify",
]
