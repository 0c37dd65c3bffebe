"""Streaming: output field text and status events of one execution, as they happen.

The parts live in the layers that use them: the stream channel (``StreamSink``, the messages,
``streamify``) beside the other execution primitives in :mod:`dspex.primitives`, and the parser
of the chat format's sections (``ChatFieldStream``) with the ChatAdapter in :mod:`dspex.adapters`.
This package is their public face, and holds the execution shaped the way DSPy's
``streamify`` shapes it (:func:`stream_program`: status from a :class:`StatusMessageProvider`,
output fields through :class:`StreamListener` s as :class:`StreamResponse` pieces).
"""

from dspex.adapters.chat_stream import ChatFieldStream
from dspex.primitives.streamify import streamify
from dspex.primitives.streams import StatusMessage, StreamChunk, StreamSink, active_sink, emit_status
from dspex.streaming.listener import StreamListener, StreamResponse
from dspex.streaming.program import apply_sync_streaming, stream_program, streaming_response
from dspex.streaming.status import StatusMessageProvider, StatusStreamingCallback

__all__ = [
    "ChatFieldStream",
    "StatusMessage",
    "StatusMessageProvider",
    "StatusStreamingCallback",
    "StreamChunk",
    "StreamListener",
    "StreamResponse",
    "StreamSink",
    "active_sink",
    "apply_sync_streaming",
    "emit_status",
    "stream_program",
    "streamify",
    "streaming_response",
]
