"""``dspy.streaming``: mapped onto :mod:`dspex.streaming`.

``streamify`` is :func:`dspex.streaming.stream_program` (DSPy's options and defaults: tool status
messages, fields streamed only through listeners), not the native ``dspex.streamify``.
"""

from dspex.compat._names import unsupported
from dspex.streaming import (
    StatusMessage,
    StatusMessageProvider,
    StatusStreamingCallback,
    StreamListener,
    StreamResponse,
    apply_sync_streaming,
    streaming_response,
)
from dspex.streaming import stream_program as streamify

__getattr__ = unsupported(__name__)

__all__ = [
    "StatusMessage",
    "StatusMessageProvider",
    "StatusStreamingCallback",
    "StreamListener",
    "StreamResponse",
    "apply_sync_streaming",
    "streamify",
    "streaming_response",
]
